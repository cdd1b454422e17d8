/** The command registry: every command the CLI knows, in --help order. */
import type { Command } from '../command.js';
import { keygen } from './keygen.js';
import { seal } from './seal.js';
import { verify } from './verify.js';
import { prove } from './prove.js';
import { verifyRecord } from './verify-record.js';
import { logInitCommand } from './log-init.js';
import { logServeCommand } from './log-serve.js';
import { logSubmitCommand } from './log-submit.js';
import { logWitnessCommand } from './log-witness.js';
import { lineageDerive } from './lineage-derive.js';
import { lineageRun } from './lineage-run.js';
import { lineageModel } from './lineage-model.js';
import { lineageDeploy } from './lineage-deploy.js';
import { lineageImport } from './lineage-import.js';
import { incidentAdd } from './incident-add.js';
import { impact } from './impact.js';
import { trace } from './trace.js';
import { vendorPause } from './vendor-pause.js';
import { vendorReportCommand } from './vendor-report.js';
import { bom } from './bom.js';
import { inspect } from './inspect.js';
import { worker } from './worker.js';
import { intake } from './intake.js';

export const COMMANDS: readonly Command[] = [
  keygen,
  seal,
  verify,
  prove,
  verifyRecord,
  inspect,
  worker,
  intake,
  logInitCommand,
  logServeCommand,
  logSubmitCommand,
  logWitnessCommand,
  lineageDerive,
  lineageRun,
  lineageModel,
  lineageDeploy,
  lineageImport,
  incidentAdd,
  impact,
  trace,
  vendorPause,
  vendorReportCommand,
  bom,
];
