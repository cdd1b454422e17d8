/**
 * A pool of worker threads for the hot path of `seal`: record digests of JSONL/text chunks and
 * Merkle subtree roots. One pool can be shared by every file of a delivery (createScanPool), and
 * must be closed by its owner. Idle workers are unref'd, so a forgotten pool never keeps the
 * process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ProvenantError } from '../core/index.js';
import type { ChunkFailure } from './chunk.js';
import type { LineKind } from './lines.js';

export type WorkerTask =
  /**
   * A block of lines. `fileStart` is the file-level index of its first record; with
   * `deliveryStart` (the delivery-level index) a second compact range is returned for the
   * delivery-wide tree.
   */
  | {
      readonly id: number;
      readonly type: 'lines';
      readonly kind: LineKind;
      readonly file: string;
      readonly buffer: ArrayBuffer;
      readonly length: number;
      readonly firstInFile: boolean;
      /** Lines in the block, when the sender counted them (saves the worker a count). */
      readonly records?: number;
      readonly fileStart?: number;
      readonly deliveryStart?: number;
    }
  | { readonly id: number; readonly type: 'tree'; readonly buffer: ArrayBuffer; readonly count: number; readonly leafHashed: boolean }
  | { readonly id: number; readonly type: 'file-hash'; readonly path: string }
  /** Sort a run of the set-root external sort (see sort.ts sortRun). */
  | { readonly id: number; readonly type: 'sort'; readonly buffer: ArrayBuffer; readonly count: number; readonly capacity: number }
  /** Compact range of `count` leaf hashes at index `start`, read at offset + i × stride. */
  | { readonly id: number; readonly type: 'range'; readonly buffer: ArrayBuffer; readonly count: number; readonly start: number; readonly stride: number; readonly offset: number };

/** A compact range as it crosses threads: 32-byte roots and their leaf counts. */
export interface RangeMessage {
  readonly hashes: ArrayBuffer;
  readonly sizes: number[];
}

export type WorkerReply =
  /** `digests`: count × 32 record digests followed by count × 32 leaf hashes. */
  | {
      readonly id: number;
      readonly type: 'lines';
      readonly count: number;
      readonly digests: ArrayBuffer;
      readonly failure?: ChunkFailure;
      readonly fileRange?: RangeMessage;
      readonly deliveryRange?: RangeMessage;
      /** The task's block, handed back so the reader can refill it instead of allocating. */
      readonly block?: ArrayBuffer;
    }
  | { readonly id: number; readonly type: 'tree'; readonly root: ArrayBuffer }
  /** `error`: the errno code when the file could not be read. */
  | { readonly id: number; readonly type: 'file-hash'; readonly sha256: string; readonly size: number; readonly error?: string }
  /** count × 64 bytes: digest ‖ leaf hash pairs in digest order. */
  | { readonly id: number; readonly type: 'sort'; readonly buffer: ArrayBuffer }
  | { readonly id: number; readonly type: 'range'; readonly hashes: ArrayBuffer; readonly sizes: number[] };

/** Work a task describes, without the id the pool assigns. */
export type PoolTask = WorkerTask extends infer T ? (T extends WorkerTask ? Omit<T, 'id'> : never) : never;

/** Worker threads shared by scans; `close()` when done. */
export interface ScanPool {
  readonly size: number;
  /** Runs a task on the next free worker; buffers in the task are transferred (detached here). */
  run(task: PoolTask): Promise<WorkerReply>;
  close(): Promise<void>;
}

interface Pending {
  readonly task: WorkerTask;
  readonly resolve: (r: WorkerReply) => void;
  readonly reject: (e: unknown) => void;
}

/** Creates a pool of `size` workers (default: os.availableParallelism()). */
export function createScanPool(size: number = availableParallelism()): ScanPool {
  const n = Math.max(1, Math.floor(size));
  const url = new URL('./worker.js', import.meta.url);
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;
  let broken: unknown;

  const failAll = (err: unknown): void => {
    broken ??= err;
    for (const p of busy.values()) p.reject(err);
    busy.clear();
    for (const p of queue.splice(0)) p.reject(err);
  };

  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop() as Worker;
      const p = queue.shift() as Pending;
      busy.set(w, p);
      w.ref();
      w.postMessage(p.task, 'buffer' in p.task ? [p.task.buffer] : []);
    }
  };

  const workers: Worker[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Worker(url);
    w.unref();
    w.on('message', (reply: WorkerReply) => {
      const p = busy.get(w);
      busy.delete(w);
      w.unref();
      idle.push(w);
      p?.resolve(reply);
      dispatch();
    });
    w.on('error', (err) => failAll(new ProvenantError('RECORD_WORKER_FAILED', `scan worker failed: ${err.message}`, { kind: 'internal', cause: err })));
    w.on('exit', (code) => {
      if (!closed) failAll(new ProvenantError('RECORD_WORKER_FAILED', `scan worker exited with code ${code}`, { kind: 'internal' }));
    });
    workers.push(w);
    idle.push(w);
  }

  return {
    size: n,
    run(task: PoolTask): Promise<WorkerReply> {
      if (closed) return Promise.reject(new ProvenantError('RECORD_POOL_CLOSED', 'scan pool is closed', { kind: 'internal' }));
      if (broken !== undefined) return Promise.reject(broken);
      return new Promise<WorkerReply>((resolve, reject) => {
        queue.push({ task: { ...task, id: nextId++ } as WorkerTask, resolve, reject });
        dispatch();
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      failAll(new ProvenantError('RECORD_POOL_CLOSED', 'scan pool is closed', { kind: 'internal' }));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
