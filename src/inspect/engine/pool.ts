/**
 * A fixed pool of worker threads running record detectors and feature extraction over batches.
 * Each batch goes to the worker with the fewest pending batches; replies are matched by sequence
 * number and the engine merges them in submission order, so output never depends on timing.
 */
import { Worker } from 'node:worker_threads';
import type { ErrorKind, SourceLocation } from '../../core/index.js';
import type { FieldOverrides } from '../fields/index.js';
import type { BatchRecord, BatchResult } from './batch.js';
import { InspectError } from './errors.js';
import type { DetectorSpec } from './registry.js';

/** What a worker is started with (structured-cloned). */
export interface WorkerSetup {
  readonly specs: readonly DetectorSpec[];
  readonly overrides: FieldOverrides | undefined;
}

export type WorkerReply =
  | { readonly seq: number; readonly ok: true; readonly result: BatchResult }
  | { readonly seq: number; readonly ok: false; readonly error: { code: string; kind: ErrorKind; message: string; location?: SourceLocation } };

interface Pending {
  resolve(r: BatchResult): void;
  reject(e: unknown): void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

export interface BatchPool {
  readonly size: number;
  run(records: BatchRecord[]): Promise<BatchResult>;
  close(): Promise<void>;
}

/** Starts `size` workers with the given detector specs. INSPECT_DETECTOR_OPTIONS if the options cannot cross threads. */
export function createBatchPool(size: number, setup: WorkerSetup): BatchPool {
  const slots: Slot[] = [];
  let seq = 0;
  let closed = false;
  const failAll = (slot: Slot, err: unknown): void => {
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };
  try {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: setup });
      const slot: Slot = { worker, pending: new Map() };
      worker.on('message', (reply: WorkerReply) => {
        const p = slot.pending.get(reply.seq);
        if (!p) return;
        slot.pending.delete(reply.seq);
        if (reply.ok) p.resolve(reply.result);
        else {
          const { code, kind, message, location } = reply.error;
          p.reject(new InspectError(code, message, { kind, ...(location ? { location } : {}) }));
        }
      });
      worker.on('error', (err) => failAll(slot, new InspectError('INSPECT_WORKER_FAILED', `an inspection worker crashed: ${err.message}`, { kind: 'internal', cause: err })));
      worker.on('exit', (code) => {
        if (!closed) failAll(slot, new InspectError('INSPECT_WORKER_FAILED', `an inspection worker exited with code ${code}`, { kind: 'internal' }));
      });
      slots.push(slot);
    }
  } catch (err) {
    closed = true;
    for (const s of slots) void s.worker.terminate();
    if ((err as Error).name === 'DataCloneError') {
      throw new InspectError('INSPECT_DETECTOR_OPTIONS', 'detector options must be plain data to run on worker threads (no functions); pass a detector instance instead', { cause: err });
    }
    throw err;
  }
  return {
    size,
    run(records) {
      if (closed) return Promise.reject(new InspectError('INSPECT_WORKER_FAILED', 'the worker pool is closed', { kind: 'internal' }));
      let slot = slots[0] as Slot;
      for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
      const id = seq++;
      return new Promise<BatchResult>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ seq: id, records });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
