/**
 * Splitting a delivery into shards for the worker fleet: the inspection engine's planner (line
 * ranges of large plain JSONL/text, row groups of large Parquet, else whole files) with the
 * distributed default shard size and DIST_* errors.
 */
import { stat } from 'node:fs/promises';
import { planShards as planInspectShards, type InspectFile, type Shard } from '../inspect/index.js';
import type { RecordFormat } from '../records/index.js';
import { DistError } from './errors.js';

/** Default target shard size: large enough that queue overhead vanishes, small enough to spread. */
export const DEFAULT_SHARD_BYTES = 64 * 1024 * 1024;

/** Plans the shards of `files` (in delivery order), about `shardBytes` (default 64 MiB) each; DIST_SHARD_UNREADABLE for a file that cannot be read. */
export async function planShards(files: readonly InspectFile[], options: { format?: RecordFormat; shardBytes?: number } = {}): Promise<Shard[]> {
  return planInspectShards(files, {
    ...(options.format ? { format: options.format } : {}),
    shardBytes: options.shardBytes ?? DEFAULT_SHARD_BYTES,
    unreadable: (f, err) => new DistError('DIST_SHARD_UNREADABLE', `cannot read ${f.path} (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); check the path`, { location: { file: f.path }, cause: err }),
  });
}

/** Throws DIST_SHARD_CHANGED / DIST_SHARD_UNREADABLE unless the shard's file is as planned. */
export async function checkShardFile(shard: Shard): Promise<void> {
  let st;
  try {
    st = await stat(shard.absPath);
  } catch (err) {
    throw new DistError('DIST_SHARD_UNREADABLE', `cannot read ${shard.absPath} on this worker (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); workers must see the delivery at the same absolute path (shared filesystem)`, { location: { file: shard.file }, cause: err });
  }
  if (st.size !== shard.size || st.mtimeMs !== shard.mtimeMs) {
    throw new DistError('DIST_SHARD_CHANGED', `the file changed since the run was planned (size ${shard.size} → ${st.size}); do not modify a delivery while it is inspected, then run again`, { location: { file: shard.file } });
  }
}
