/**
 * The command registry: every command the CLI knows, in --help order. Only names and summaries
 * live here; a command's module (and the capabilities it pulls in) is loaded when it runs, so
 * `provenant --help` and light commands start fast. A test keeps these summaries equal to the
 * commands' own.
 */
import type { Command } from '../command.js';

export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMAND_ENTRIES: readonly CommandEntry[] = [
  { name: 'keygen', summary: 'create a signing key pair (Ed25519 by default, or P-256)', load: async () => (await import('./keygen.js')).keygen },
  { name: 'seal', summary: 'sign a delivery (file or directory) down to the single record', load: async () => (await import('./seal.js')).seal },
  { name: 'verify', summary: 'verify a delivery against its seal; on mismatch, name the records that changed', load: async () => (await import('./verify.js')).verify },
  { name: 'prove', summary: 'print a Merkle inclusion proof of one record against the signed recordRoot', load: async () => (await import('./prove.js')).prove },
  { name: 'verify-record', summary: 'check that one record belongs to a signed delivery, from a proof made by prove', load: async () => (await import('./verify-record.js')).verifyRecord },
  { name: 'inspect', summary: 'inspect a delivery for poisoning, secrets, PII, hidden text, contamination; decide by policy', load: async () => (await import('./inspect.js')).inspect },
  { name: 'intake', summary: 'verify a delivery against the trust file, inspect it, decide by policy and register it', load: async () => (await import('./intake.js')).intake },
  { name: 'log init', summary: 'create a transparency log and print its verifier key', load: async () => (await import('./log-init.js')).logInitCommand },
  { name: 'log serve', summary: 'serve a transparency log on 127.0.0.1 (add, checkpoint, tiles)', load: async () => (await import('./log-serve.js')).logServeCommand },
  { name: 'log submit', summary: 'log an existing seal in a transparency log and store the receipt in it', load: async () => (await import('./log-submit.js')).logSubmitCommand },
  { name: 'log witness', summary: 'run a transparency-log witness (C2SP tlog-witness) on 127.0.0.1', load: async () => (await import('./log-witness.js')).logWitnessCommand },
  { name: 'worker', summary: 'process inspection shards from a Redis queue (inspect --distributed) until stopped', load: async () => (await import('./worker.js')).worker },
  { name: 'lineage derive', summary: 'register a dataset (e.g. a training mix) and find the deliveries its records come from', load: async () => (await import('./lineage-derive.js')).lineageDerive },
  { name: 'lineage run', summary: 'declare a training run: input datasets or deliveries, output model, start and end', load: async () => (await import('./lineage-run.js')).lineageRun },
  { name: 'lineage model', summary: 'declare a model, optionally fine-tuned from a base model', load: async () => (await import('./lineage-model.js')).lineageModel },
  { name: 'lineage deploy', summary: 'declare a deployment of a model to an environment, from a time (to a time)', load: async () => (await import('./lineage-deploy.js')).lineageDeploy },
  { name: 'lineage import', summary: 'import OpenLineage RunEvents (JSON lines) as runs, datasets and models', load: async () => (await import('./lineage-import.js')).lineageImport },
  { name: 'incident add', summary: 'record an incident: a vendor breached in a window, a leaked key, an annotator, a delivery', load: async () => (await import('./incident-add.js')).incidentAdd },
  { name: 'impact', summary: 'list every delivery, dataset, run, model and deployment a selector affects, with a remediation plan', load: async () => (await import('./impact.js')).impact },
  { name: 'trace', summary: 'map the records of a leaked dump to the deliveries and clients they came from', load: async () => (await import('./trace.js')).trace },
  { name: 'vendor pause', summary: 'pause a vendor: intake rejects its deliveries and impact marks runs that used them', load: async () => (await import('./vendor-pause.js')).vendorPause },
  { name: 'vendor report', summary: 'per vendor: deliveries, keys, findings rate, incidents, assurance level; per model: vendor shares and HHI', load: async () => (await import('./vendor-report.js')).vendorReportCommand },
  { name: 'bom', summary: 'write the AI-BOM of a model: datasets and deliveries it was trained on, with digests and vendors', load: async () => (await import('./bom.js')).bom },
];

/** Loads every command (for tests and documentation checks). */
export async function loadAllCommands(): Promise<Command[]> {
  return Promise.all(COMMAND_ENTRIES.map((e) => e.load()));
}
