/**
 * lineage derive: a dataset (a training mix, possibly converted, filtered, reordered) is
 * identified by its record roots and linked to every registered delivery whose records it holds,
 * found by record-digest lookup (DESIGN §2, §6): exposure is known per record, not guessed per file.
 */
import { ProvenantError } from '../core/index.js';
import { createScanPool, deliveryRoots, scanFile, type FileScan, type RecordFormat, type ScanPool } from '../records/index.js';
import { walkDelivery } from '../seal/index.js';
import { LineageError } from './errors.js';
import type { DatasetFacts, LineageStore, MatchGroup, RecordLookup } from './types.js';
import { checkName } from './validate.js';

/** The record digests of a file or directory, in order (files sorted by path). */
export interface ReadDigests {
  readonly files: readonly FileScan[];
  /** records × 32 bytes. */
  readonly digests: Buffer;
  readonly count: number;
}

/** Reads every record of a file or directory (any supported format) and digests it. */
export async function readDigests(path: string, options: { readonly format?: RecordFormat; readonly pool?: ScanPool } = {}): Promise<ReadDigests> {
  let walked;
  try {
    walked = await walkDelivery(path);
  } catch (err) {
    throw new LineageError('LINEAGE_INPUT_UNREADABLE', `cannot read ${path}; check that it exists and is a file or folder`, { cause: err, location: { file: path } });
  }
  const problem = walked.problems[0];
  if (problem) {
    throw new LineageError('LINEAGE_INPUT_UNREADABLE', `${problem.message}; remove it or copy the data into a plain folder`, { cause: problem, ...(problem.location ? { location: problem.location } : {}) });
  }
  if (walked.files.length === 0) throw new LineageError('LINEAGE_EMPTY_INPUT', `${path} holds no files; point at the dataset's files`, { location: { file: path } });
  const pool = options.pool ?? createScanPool();
  try {
    const files: FileScan[] = [];
    for (const f of walked.files) files.push(await scanFile(f.absPath, { file: f.path, pool, ...(options.format !== undefined ? { format: options.format } : {}) }));
    const digests = Buffer.concat(files.map((f) => f.digests));
    return { files, digests, count: digests.length / 32 };
  } finally {
    if (options.pool === undefined) await pool.close();
  }
}

function* digestViews(digests: Buffer): Generator<Buffer> {
  for (let o = 0; o < digests.length; o += 32) yield digests.subarray(o, o + 32);
}

/** Per delivery and per exact set of deliveries: how many of `digests` occur there. */
export async function matchDeliveries(lookup: RecordLookup, digests: Buffer): Promise<{ matched: number; deliveries: Map<string, number>; groups: MatchGroup[] }> {
  const perDelivery = new Map<string, number>();
  const groups = new Map<string, { deliveries: string[]; count: number }>();
  let matched = 0;
  for await (const m of lookup.findRecordsMany(digestViews(digests))) {
    const ids = [...new Set(m.locations.map((l) => l.deliveryId))].sort();
    if (ids.length === 0) continue;
    matched++;
    for (const id of ids) perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
    const key = ids.join('\u0000');
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { deliveries: ids, count: 1 });
  }
  const sorted = [...groups.values()].sort((a, b) => (a.deliveries.join('\u0000') < b.deliveries.join('\u0000') ? -1 : 1));
  return { matched, deliveries: perDelivery, groups: sorted };
}

export interface DeriveOptions {
  readonly path: string;
  readonly name: string;
  readonly store: LineageStore & RecordLookup;
  readonly format?: RecordFormat;
  readonly pool?: ScanPool;
  readonly now?: Date;
}

export interface DeriveResult {
  readonly dataset: DatasetFacts;
  /** False when the same dataset (same name and roots) was already registered. */
  readonly inserted: boolean;
  /** Records found in no registered delivery. */
  readonly unmatched: number;
  readonly deliveries: readonly { readonly deliveryId: string; readonly vendor: string; readonly client: string; readonly count: number; readonly share: number }[];
}

/** Registers the dataset at `path` under `name` with content-match edges to its source deliveries. */
export async function deriveDataset(options: DeriveOptions): Promise<DeriveResult> {
  const name = checkName(options.name, 'dataset name');
  const read = await readDigests(options.path, { ...(options.format !== undefined ? { format: options.format } : {}), ...(options.pool !== undefined ? { pool: options.pool } : {}) });
  if (read.count === 0) throw new LineageError('LINEAGE_EMPTY_INPUT', `${options.path} holds no records; a dataset needs at least one`, { location: { file: options.path } });
  const roots = await deliveryRoots(read.files, options.pool !== undefined ? { pool: options.pool } : {});
  await options.store.syncDeliveries();
  const m = await matchDeliveries(options.store, read.digests);
  const facts: DatasetFacts = {
    name,
    recordRoot: roots.recordRoot,
    recordSetRoot: roots.recordSetRoot,
    recordCount: read.count,
    fileCount: read.files.length,
    matchedCount: m.matched,
    deliveries: [...m.deliveries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([deliveryId, count]) => ({ deliveryId, count })),
    groups: m.groups,
    derivedAt: (options.now ?? new Date()).toISOString(),
    path: options.path,
  };
  let inserted: boolean;
  try {
    inserted = (await options.store.putDataset(facts)).inserted;
  } catch (err) {
    if (err instanceof ProvenantError) throw err;
    throw new LineageError('LINEAGE_INVALID_ARGUMENT', `cannot register dataset ${JSON.stringify(name)}: ${String(err)}`, { cause: err, kind: 'internal' });
  }
  const stored = inserted ? facts : ((await options.store.getDataset(name)) ?? facts);
  const info = new Map((await options.store.getDeliveries(stored.deliveries.map((d) => d.deliveryId))).map((d) => [d.deliveryId, d]));
  return {
    dataset: stored,
    inserted,
    unmatched: read.count - m.matched,
    deliveries: stored.deliveries.map((d) => ({
      deliveryId: d.deliveryId,
      vendor: info.get(d.deliveryId)?.vendor ?? '',
      client: info.get(d.deliveryId)?.client ?? '',
      count: d.count,
      share: d.count / read.count,
    })),
  };
}
