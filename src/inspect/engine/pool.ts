/**
 * A fixed pool of worker threads, each inspecting whole shards: it reads the shard's records,
 * parses them, builds the record views and runs the detectors, and posts back only the shard's
 * output (findings and compact features, never record values). A shard goes to the worker with
 * the fewest pending shards; replies are matched by sequence number and the engine reduces them
 * in shard order, so output never depends on timing. At the end, the pool also runs dataset
 * detectors' reduce steps side by side (each reads its detector's spill file itself).
 */
import { Worker } from 'node:worker_threads';
import type { ErrorKind, SourceLocation } from '../../core/index.js';
import type { RecordFormat } from '../../records/index.js';
import type { FieldOverrides } from '../fields/index.js';
import type { Policy } from '../policy/index.js';
import { InspectError } from './errors.js';
import type { DetectorSpec } from './registry.js';
import type { ReduceInput, ReduceOutput } from './reduce.js';
import type { Shard, ShardOutput } from './shard.js';

/** What a worker is started with (structured-cloned). */
export interface WorkerSetup {
  readonly specs: readonly DetectorSpec[];
  readonly overrides: FieldOverrides | undefined;
  /** The run's --input-format (applies to whole-file shards). */
  readonly format?: RecordFormat;
  /** Records per detector batch inside a shard (default 500). */
  readonly batchSize?: number;
  /** Findings kept whole per (detector, rule) in each shard's output (InspectShardOptions.keepPerRule). */
  readonly keepPerRule?: number;
  /** The run's policy: its ignore list decides which reduce findings count toward `keepPerRule`. */
  readonly policy?: Policy;
}

export type WorkerReply =
  | { readonly seq: number; readonly ok: true; readonly result: ShardOutput }
  | { readonly seq: number; readonly ok: true; readonly reduced: ReduceOutput }
  | { readonly seq: number; readonly ok: false; readonly error: { code: string; kind: ErrorKind; message: string; location?: SourceLocation } };

interface Pending {
  resolve(r: ShardOutput | ReduceOutput): void;
  reject(e: unknown): void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

export interface ShardPool {
  readonly size: number;
  /** Inspects `shard` on the least busy worker. */
  run(shard: Shard): Promise<ShardOutput>;
  /** Runs the reduce of detector `k` (plan order of the specs) on the least busy worker (it reads the spill itself). */
  reduce(k: number, input: ReduceInput): Promise<ReduceOutput>;
  close(): Promise<void>;
}

/** Starts `size` workers with the given detector specs. INSPECT_DETECTOR_OPTIONS if the options cannot cross threads. */
export function createShardPool(size: number, setup: WorkerSetup): ShardPool {
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
        if (reply.ok) p.resolve('result' in reply ? reply.result : reply.reduced);
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
  const post = (msg: Record<string, unknown>): Promise<ShardOutput | ReduceOutput> => {
    if (closed) return Promise.reject(new InspectError('INSPECT_WORKER_FAILED', 'the worker pool is closed', { kind: 'internal' }));
    let slot = slots[0] as Slot;
    for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = seq++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ seq: id, ...msg });
    });
  };
  return {
    size,
    run: (shard) => post({ shard }) as Promise<ShardOutput>,
    reduce: (k, input) => post({ reduce: { k, input } }) as Promise<ReduceOutput>,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
