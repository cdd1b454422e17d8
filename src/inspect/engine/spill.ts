/**
 * Dataset features between the map and the reduce, on disk (DESIGN §5, §8 "memory bounded by
 * features, not data"). The reducer appends each shard's feature block of each dataset detector
 * to that detector's spill file as the shard arrives, and keeps only an index (a few numbers per
 * shard); the reduce reads the file back as a `FeatureList`, block by block, in as many passes as
 * it needs. Record references are kept per shard (file, first index, first line), so a reduce
 * resolves any ordinal to its record without a per-record table.
 *
 * Files live in one directory under the system temporary directory (`TMPDIR`), removed when the
 * reduce ends, when the run fails, and at process exit.
 */
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { FeatureList, RecordRef } from '../types.js';
import { InspectError } from './errors.js';
import { Grow } from './grow.js';
import { decodePacked, encodePacked, isPacked, isPackedBytes, unpackFeatures, type PackedFeatures } from './pack.js';
import { makeScratchDir, readFully, removeScratchDir, writeFully } from '../scratch.js';

/** Fields of one block in `SpillInput.blocks` (a flat Float64Array, BLOCK numbers per block). */
const OFFSET = 0;
const BYTES = 1;
/** Dense ordinal of the block's first record with features. */
const FIRST = 2;
/** Records of the block with features. */
const COUNT = 3;
const SHARD = 4;
/** 1 when every record of the shard has features (ordinal → record needs no read). */
const ALL = 5;
const BLOCK = 6;

/** Fields of one shard in `ShardRefs.shard`: file key (file number × 2 + 1 when records have data rows), first index, records, first line (0 = none, -1 = see `lines`). */
const SHARD_FIELDS = 4;

/** The records of every shard, in delivery order (plain data: crosses to a worker). */
export interface ShardRefs {
  readonly files: readonly string[];
  readonly shard: Float64Array;
  /** Lines of shards whose records are not one per line in order (by shard number). */
  readonly lines: ReadonlyMap<number, Float64Array>;
}

/** One detector's spilled features (plain data: crosses to a worker, which opens the file itself). */
export interface SpillInput {
  readonly path: string;
  readonly blocks: Float64Array;
  readonly length: number;
  readonly refs: ShardRefs;
}

const float64s = (): Grow<Float64Array> => new Grow(new Float64Array(64), (n) => new Float64Array(n));

/** The spill of one run: a directory with one file per dataset detector, and the shards' records. */
export class Spill {
  private dir: string | undefined;
  private readonly files = new Map<number, { path: string; fd: number; size: number; blocks: Grow<Float64Array>; length: number }>();
  private readonly fileIds = new Map<string, number>();
  private readonly fileNames: string[] = [];
  private readonly shards = float64s();
  private readonly lines = new Map<number, Float64Array>();
  private shardCount = 0;

  /** Records a shard's records; returns its number. */
  addShard(file: string, firstIndex: number, records: number, rows: boolean, lines: ReadonlyArray<number | undefined>): number {
    let fid = this.fileIds.get(file);
    if (fid === undefined) {
      fid = this.fileNames.length;
      this.fileIds.set(file, fid);
      this.fileNames.push(file);
    }
    const s = this.shardCount++;
    const first = lines[0];
    let start = 0;
    if (first !== undefined && records > 0) {
      start = first;
      for (let i = 1; i < records; i++) {
        if (lines[i] !== first + i) {
          start = -1;
          break;
        }
      }
    } else if (lines.some((l) => l !== undefined)) start = -1;
    if (start === -1) this.lines.set(s, Float64Array.from({ length: records }, (_, i) => lines[i] ?? 0));
    this.shards.push(fid * 2 + (rows ? 1 : 0), firstIndex, records, start);
    return s;
  }

  /** Appends detector `k`'s features of shard `s` (parallel to its records; undefined = none). */
  append(k: number, s: number, block: readonly unknown[] | PackedFeatures, records: number): void {
    const f = this.fileOf(k);
    let count = 0;
    if (isPacked(block)) {
      for (let i = 0; i < block.count; i++) if (block.kind[i] !== 0) count++;
    } else for (const x of block) if (x !== undefined) count++;
    if (count === 0) return;
    // A packed block is written as its arrays' own bytes (no serialiser copy); others as a clone.
    const chunks = isPacked(block) ? encodePacked(block) : [serialize(block)];
    let bytes = 0;
    for (const c of chunks) {
      writeFully(f.fd, f.path, c, f.size + bytes);
      bytes += c.length;
    }
    f.blocks.push(f.size, bytes, f.length, count, s, count === records ? 1 : 0);
    f.size += bytes;
    f.length += count;
  }

  /** Detector `k`'s features, for a `FeatureList` here or on a worker (its file is complete). */
  input(k: number): SpillInput {
    const refs: ShardRefs = { files: [...this.fileNames], shard: this.shards.done(), lines: this.lines };
    const f = this.files.get(k);
    if (!f) return { path: '', blocks: new Float64Array(0), length: 0, refs };
    return { path: f.path, blocks: f.blocks.done(), length: f.length, refs };
  }

  /** Closes the files and removes the directory (idempotent). */
  dispose(): void {
    for (const f of this.files.values()) {
      try {
        closeSync(f.fd);
      } catch {
        // Already closed.
      }
    }
    this.files.clear();
    if (this.dir !== undefined) removeScratchDir(this.dir);
    this.dir = undefined;
  }

  private fileOf(k: number): { path: string; fd: number; size: number; blocks: Grow<Float64Array>; length: number } {
    let f = this.files.get(k);
    if (f) return f;
    this.dir ??= makeScratchDir('dataset features');
    const path = join(this.dir, `features-${k}.bin`);
    f = { path, fd: openSync(path, 'w+', 0o600), size: 0, blocks: float64s(), length: 0 };
    this.files.set(k, f);
    return f;
  }
}

/** A decoded block: its records' features (those defined) and their positions in the shard. */
interface Decoded {
  readonly at: number;
  readonly feats: unknown[];
  readonly pos: Int32Array;
}

/** A `FeatureList` over a spill file. `close` releases the file (a list is read by one reduce). */
export class SpilledFeatures<F> implements FeatureList<F> {
  readonly length: number;
  private fd: number | undefined;
  private cached: Decoded | undefined;
  private readonly nBlocks: number;

  constructor(private readonly input: SpillInput) {
    this.length = input.length;
    this.nBlocks = input.blocks.length / BLOCK;
  }

  scan(visit: (features: F, ord: number) => void | boolean, from = 0, to = this.length): void {
    const end = Math.min(to, this.length);
    let ord = Math.max(0, from);
    if (ord >= end) return;
    for (let b = this.blockOf(ord); b < this.nBlocks && ord < end; b++) {
      const d = this.decode(b);
      const first = this.num(b, FIRST);
      for (let i = ord - first; i < d.feats.length && ord < end; i++, ord++) if (visit(d.feats[i] as F, ord) === false) return;
    }
  }

  get(ord: number): F {
    this.check(ord);
    const b = this.blockOf(ord);
    return this.decode(b).feats[ord - this.num(b, FIRST)] as F;
  }

  ref(ord: number): RecordRef {
    this.check(ord);
    const b = this.blockOf(ord);
    const s = this.num(b, SHARD);
    const offset = this.num(b, ALL) === 1 ? ord - this.num(b, FIRST) : (this.decode(b).pos[ord - this.num(b, FIRST)] as number);
    return shardRef(this.input.refs, s, offset);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.cached = undefined;
  }

  private num(b: number, field: number): number {
    return this.input.blocks[b * BLOCK + field] as number;
  }

  private check(ord: number): void {
    if (!Number.isInteger(ord) || ord < 0 || ord >= this.length) throw new RangeError(`feature ordinal ${ord} is outside 0..${this.length - 1}`);
  }

  /** The block holding dense ordinal `ord` (binary search on the blocks' first ordinals). */
  private blockOf(ord: number): number {
    let lo = 0;
    let hi = this.nBlocks - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.num(mid, FIRST) <= ord) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private decode(b: number): Decoded {
    if (this.cached?.at === b) return this.cached;
    const offset = this.num(b, OFFSET);
    const bytes = this.num(b, BYTES);
    if (this.fd === undefined) this.fd = openSync(this.input.path, 'r');
    // Each block gets its own buffer: a packed block's arrays are views into it, which the reduce
    // may keep (a serialised block's values are copies, so its buffer could be reused).
    const buf = Buffer.allocUnsafeSlow(bytes);
    readFully(this.fd, this.input.path, buf, offset);
    let all: readonly unknown[];
    try {
      all = isPackedBytes(buf) ? unpackFeatures(decodePacked(buf)) : (deserialize(buf) as readonly unknown[]);
    } catch (err) {
      throw new InspectError('INSPECT_SPILL', `scratch file ${this.input.path} holds an unreadable block at ${offset} (${(err as Error).message}); was it changed during the run?`, { kind: 'input', cause: err });
    }
    const count = this.num(b, COUNT);
    const feats = new Array<unknown>(count);
    const pos = new Int32Array(count);
    let j = 0;
    for (let i = 0; i < all.length && j < count; i++) {
      const f = all[i];
      if (f === undefined) continue;
      feats[j] = f;
      pos[j++] = i;
    }
    if (j !== count) throw new InspectError('INSPECT_SPILL', `scratch file ${this.input.path} holds ${j} records' features in the block at ${offset}, ${count} were written; was it changed during the run?`, { kind: 'input' });
    this.cached = { at: b, feats, pos };
    return this.cached;
  }
}

/** The record at `offset` in shard `s`. */
export function shardRef(refs: ShardRefs, s: number, offset: number): RecordRef {
  const at = s * SHARD_FIELDS;
  const key = refs.shard[at] as number;
  const index = (refs.shard[at + 1] as number) + offset;
  const start = refs.shard[at + 3] as number;
  const line = start > 0 ? start + offset : start === -1 ? (refs.lines.get(s)?.[offset] ?? 0) : 0;
  return { file: refs.files[key >> 1] as string, index, ...(line !== 0 ? { line } : {}), ...((key & 1) === 1 ? { row: index + 1 } : {}) };
}
