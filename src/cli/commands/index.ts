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

export const COMMANDS: readonly Command[] = [keygen, seal, verify, prove, verifyRecord, logInitCommand, logServeCommand, logSubmitCommand, logWitnessCommand];
