/** Worker thread entry: rebuilds the detectors from their specs and processes batches in arrival order. */
import { parentPort, workerData } from 'node:worker_threads';
import { ProvenantError } from '../../core/index.js';
import type { FieldOverrides } from '../fields/index.js';
import type { Detector } from '../types.js';
import { processBatch, type BatchRecord } from './batch.js';
import { builtinRegistry, type DetectorSpec } from './registry.js';
import type { WorkerReply, WorkerSetup } from './pool.js';

function serialize(err: unknown): Extract<WorkerReply, { ok: false }>['error'] {
  if (err instanceof ProvenantError) return { code: err.code, kind: err.kind, message: err.message, ...(err.location ? { location: err.location } : {}) };
  const e = err instanceof Error ? err : new Error(String(err));
  return { code: 'INSPECT_WORKER_FAILED', kind: 'internal', message: e.message };
}

const port = parentPort;
if (port !== null) {
  const setup = workerData as WorkerSetup;
  let detectors: Detector[] | undefined;
  let initError: unknown;
  try {
    detectors = builtinRegistry().createAll(setup.specs as DetectorSpec[]);
  } catch (err) {
    initError = err;
  }
  const overrides = setup.overrides as FieldOverrides | undefined;
  port.on('message', (msg: { seq: number; records: BatchRecord[] }) => {
    let reply: WorkerReply;
    try {
      if (detectors === undefined) throw initError;
      reply = { seq: msg.seq, ok: true, result: processBatch(detectors, overrides, msg.records) };
    } catch (err) {
      reply = { seq: msg.seq, ok: false, error: serialize(err) };
    }
    port.postMessage(reply);
  });
}
