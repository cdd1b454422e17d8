/**
 * An in-memory LogStorage: for tests and throw-away logs. Passes the same contract as the SQLite
 * driver; each call validates everything before changing anything, which is its atomicity.
 */
import { digestEqual } from '../../core/index.js';
import type { NodeId } from '../merkle.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';
import type { AppendBatch, LogStorage, StoredCheckpoint, WitnessState } from './storage.js';

/** Creates an empty in-memory log store. */
export function createMemoryLogStorage(): LogStorage {
  const entries: Buffer[] = [];
  const nodes = new Map<string, Buffer>();
  const witness = new Map<string, WitnessState>();
  let checkpoint: StoredCheckpoint | undefined;
  let closed = false;
  const guard = <T>(fn: () => T): Promise<T> => {
    if (closed) return Promise.reject(new LogServiceError(C.CLOSED, 'log store was used after close()', { kind: 'internal' }));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return {
    backend: 'memory',
    appendBatch: (batch: AppendBatch) =>
      guard(() => {
        const current = checkpoint?.size ?? 0;
        if (current !== batch.startIndex || batch.checkpoint.size !== batch.startIndex + batch.entries.length) {
          throw new LogServiceError(C.STORE_CONFLICT, `log store holds ${current} entries but the batch starts at ${batch.startIndex}`, { kind: 'internal' });
        }
        const seen = new Set<string>();
        for (const n of batch.nodes) {
          const k = `${n.level}/${n.index}`;
          if (nodes.has(k) || seen.has(k)) throw new LogServiceError(C.STORE_FAILURE, `node ${k} is already stored`, { kind: 'internal' });
          seen.add(k);
        }
        for (const e of batch.entries) entries.push(Buffer.from(e));
        for (const n of batch.nodes) nodes.set(`${n.level}/${n.index}`, Buffer.from(n.hash));
        checkpoint = { size: batch.checkpoint.size, rootHash: Buffer.from(batch.checkpoint.rootHash), note: batch.checkpoint.note };
      }),
    readNodes: (ids: readonly NodeId[]) => guard(() => ids.map((n) => nodes.get(`${n.level}/${n.index}`))),
    readEntries: (start: number, count: number) =>
      guard(() => {
        if (start + count > entries.length) throw new LogServiceError(C.STORE_FAILURE, `log store is missing entries in [${start}, ${start + count})`, { kind: 'internal' });
        return entries.slice(start, start + count);
      }),
    latestCheckpoint: () => guard(() => checkpoint),
    replaceCheckpointNote: (size: number, rootHash: Uint8Array, note: string) =>
      guard(() => {
        if (checkpoint === undefined || checkpoint.size !== size || !digestEqual(checkpoint.rootHash, rootHash)) return false;
        checkpoint = { ...checkpoint, note };
        return true;
      }),
    getWitnessState: (origin: string) => guard(() => witness.get(origin)),
    compareAndSetWitnessState: (expected, next) =>
      guard(() => {
        const cur = witness.get(next.origin);
        const ok = expected === undefined ? cur === undefined : cur !== undefined && cur.size === expected.size && digestEqual(cur.rootHash, expected.rootHash);
        if (ok) witness.set(next.origin, { ...next, rootHash: Buffer.from(next.rootHash) });
        return ok;
      }),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
}
