/**
 * recordSetRoot in bounded memory (DESIGN §2, §8: peak RSS < 1 GiB whatever the input size).
 *
 * The set root is the RFC 9162 tree over the record digests sorted bytewise. Holding every digest
 * would cost O(records) memory, so this is an external sort: (digest, leaf hash) pairs gather in
 * a fixed-size run, each full run is sorted in a pool worker and spilled to a temp file, and at
 * the end the runs are merged in a streaming k-way merge (more passes when there are more runs
 * than MAX_FAN_IN). The merged sequence is cut into blocks aligned at multiples of BLOCK, whose
 * compact ranges pool workers hash in parallel (see range.ts), so the main thread only merges.
 * A delivery that fits in one run is never spilled.
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvenantError } from '../core/index.js';
import type { ScanPool, WorkerReply } from './pool.js';
import { RangeAccumulator, type CompactRange } from './range.js';

/** Pairs per sorted run: 2^18 × 64 bytes = 16 MiB. */
export const RUN_RECORDS = 1 << 18;
/** Runs merged at once; each reads through a SLICE-pair window, so a merge holds ≤ 8 MiB. */
export const MAX_FAN_IN = 64;
/** Pairs read per run and per refill during a merge. */
const SLICE = 2048;
/** Pairs per hashing task in the final merge (a power of two, so blocks are aligned subtrees). */
const BLOCK = 1 << 14;
const PAIR = 64;

/**
 * Sorts one run. `buf` holds `capacity` × 32 bytes of digests then `capacity` × 32 bytes of the
 * matching leaf hashes, of which the first `count` are used. Returns count × 64 bytes of
 * digest ‖ leaf-hash pairs ordered by digest (bytewise). Runs in pool workers.
 */
export function sortRun(buf: Uint8Array, count: number, capacity: number): Buffer {
  // Copying whole 32-bit words needs 4-byte alignment (always so for a transferred ArrayBuffer).
  const src = buf.byteOffset % 4 === 0 ? buf : new Uint8Array(buf.subarray(0, capacity * 64));
  const d = Buffer.from(src.buffer, src.byteOffset, capacity * 64);
  const w = new Uint32Array(src.buffer, src.byteOffset, capacity * 16);
  const leafWords = capacity * 8;
  // The first 64 bits of each digest as two big-endian words: nearly every comparison ends there.
  const hi = new Uint32Array(count);
  const lo = new Uint32Array(count);
  // SHA-256 digests are uniform, so a counting sort on the first 16 bits leaves tiny buckets.
  const start = new Uint32Array(65537);
  for (let i = 0; i < count; i++) {
    const p = i * 32;
    const h = (((d[p] as number) << 24) | ((d[p + 1] as number) << 16) | ((d[p + 2] as number) << 8) | (d[p + 3] as number)) >>> 0;
    hi[i] = h;
    lo[i] = (((d[p + 4] as number) << 24) | ((d[p + 5] as number) << 16) | ((d[p + 6] as number) << 8) | (d[p + 7] as number)) >>> 0;
    (start[h >>> 16] as number)++;
  }
  let sum = 0;
  for (let b = 0; b < 65536; b++) {
    const c = start[b] as number;
    start[b] = sum;
    sum += c;
  }
  start[65536] = count;
  const next = start.slice(0, 65536);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[(next[(hi[i] as number) >>> 16] as number)++] = i;
  const cmp = (a: number, b: number): number => {
    const x = hi[a] as number;
    const y = hi[b] as number;
    if (x !== y) return x < y ? -1 : 1;
    const u = lo[a] as number;
    const v = lo[b] as number;
    if (u !== v) return u < v ? -1 : 1;
    return d.compare(d, b * 32, b * 32 + 32, a * 32, a * 32 + 32);
  };
  for (let b = 0; b < 65536; b++) {
    const l = start[b] as number;
    const h = start[b + 1] as number;
    if (h - l <= 1) continue;
    if (h - l <= 16) {
      for (let i = l + 1; i < h; i++) {
        const v = order[i] as number;
        let j = i - 1;
        while (j >= l && cmp(order[j] as number, v) > 0) {
          order[j + 1] = order[j] as number;
          j--;
        }
        order[j + 1] = v;
      }
    } else {
      // Large buckets only come from repeated records; a comparison sort stays O(k log k) there.
      order.subarray(l, h).sort(cmp);
    }
  }
  const out = Buffer.allocUnsafeSlow(count * PAIR);
  const o = new Uint32Array(out.buffer, out.byteOffset, count * 16);
  for (let k = 0; k < count; k++) {
    const i = (order[k] as number) * 8;
    const q = k * 16;
    for (let x = 0; x < 8; x++) {
      o[q + x] = w[i + x] as number;
      o[q + 8 + x] = w[leafWords + i + x] as number;
    }
  }
  return out;
}

interface Run {
  readonly offset: number;
  readonly count: number;
}

function unexpected(): ProvenantError {
  return new ProvenantError('RECORD_INTERNAL', 'unexpected worker reply', { kind: 'internal' });
}

function toRange(r: WorkerReply): CompactRange {
  if (r.type !== 'range') throw unexpected();
  return { hashes: new Uint8Array(r.hashes), sizes: r.sizes };
}

export interface SetRootOptions {
  readonly pool: ScanPool;
  /** Directory for the spill file (default: a fresh directory under os.tmpdir()). */
  readonly dir?: string;
  /** Pairs per run (tests use small runs to exercise spilling and multi-pass merges). */
  readonly runRecords?: number;
  readonly maxFanIn?: number;
}

/**
 * Streams (digest, leaf hash) pairs in any order and returns the RFC 9162 root over the digests
 * sorted bytewise (recordSetRoot). Memory is bounded by the run size, whatever the record count.
 * Call close() when done (also after a failure): it removes the spill files.
 */
export class SetRootBuilder {
  private readonly pool: ScanPool;
  private readonly runRecords: number;
  private readonly maxFanIn: number;
  private cur: Uint8Array;
  private curCount = 0;
  private readonly runs: Run[] = [];
  private spillSize = 0;
  private spill: FileHandle | undefined;
  private spillDir: string | undefined;
  private spillPath: string | undefined;
  private ownDir = false;
  private readonly dir: string | undefined;
  private pending: Promise<void> = Promise.resolve();
  private total = 0;

  constructor(options: SetRootOptions) {
    this.pool = options.pool;
    this.runRecords = Math.max(1, Math.floor(options.runRecords ?? RUN_RECORDS));
    this.maxFanIn = Math.max(2, Math.floor(options.maxFanIn ?? MAX_FAN_IN));
    this.dir = options.dir;
    this.cur = new Uint8Array(this.runRecords * PAIR);
  }

  /** Number of pairs added. */
  get size(): number {
    return this.total;
  }

  /** Adds `count` digests and their leaf hashes (count × 32 bytes each). */
  async add(digests: Uint8Array, leaves: Uint8Array, count: number): Promise<void> {
    let done = 0;
    while (done < count) {
      const k = Math.min(count - done, this.runRecords - this.curCount);
      this.cur.set(digests.subarray(done * 32, (done + k) * 32), this.curCount * 32);
      this.cur.set(leaves.subarray(done * 32, (done + k) * 32), (this.runRecords + this.curCount) * 32);
      this.curCount += k;
      this.total += k;
      done += k;
      if (this.curCount === this.runRecords) await this.flushRun();
    }
  }

  /** Sorts the current run in a worker and spills it; at most one run is in flight. */
  private async flushRun(): Promise<void> {
    await this.pending;
    const buffer = this.cur.buffer as ArrayBuffer;
    const count = this.curCount;
    this.cur = new Uint8Array(this.runRecords * PAIR);
    this.curCount = 0;
    const offset = this.spillSize;
    this.spillSize += count * PAIR;
    this.runs.push({ offset, count });
    const sorted = this.pool.run({ type: 'sort', buffer, count, capacity: this.runRecords });
    this.pending = sorted.then(async (r) => {
      if (r.type !== 'sort') throw unexpected();
      const fh = await this.spillFile();
      await writeAll(fh, new Uint8Array(r.buffer), offset);
    });
    this.pending.catch(() => undefined); // surfaced by the next await of `pending`
  }

  private async spillFile(): Promise<FileHandle> {
    if (!this.spill) {
      if (this.dir !== undefined) this.spillDir = this.dir;
      else {
        this.spillDir = await mkdtemp(join(tmpdir(), 'provenant-sort-'));
        this.ownDir = true;
      }
      this.spillPath = join(this.spillDir, `set-runs-${process.pid}-${Date.now().toString(36)}.tmp`);
      this.spill = await open(this.spillPath, 'wx+', 0o600);
    }
    return this.spill;
  }

  /** The recordSetRoot (raw 32 bytes) over every pair added. */
  async finish(): Promise<Buffer> {
    const acc = new RangeAccumulator();
    if (this.runs.length === 0) {
      // Everything fits in one run: sort it in a worker, hash aligned blocks in parallel.
      if (this.curCount === 0) return acc.root();
      const r = await this.pool.run({ type: 'sort', buffer: this.cur.buffer as ArrayBuffer, count: this.curCount, capacity: this.runRecords });
      if (r.type !== 'sort') throw unexpected();
      const sorted = new Uint8Array(r.buffer);
      const tasks: Promise<WorkerReply>[] = [];
      for (let lo = 0; lo < this.curCount; lo += BLOCK) {
        const hi = Math.min(this.curCount, lo + BLOCK);
        tasks.push(this.pool.run({ type: 'range', buffer: copyOut(sorted.subarray(lo * PAIR), (hi - lo) * PAIR), count: hi - lo, start: lo, stride: PAIR, offset: 32 }));
      }
      for (const t of tasks) acc.pushRange(toRange(await t));
      this.curCount = 0;
      return acc.root();
    }
    if (this.curCount > 0) await this.flushRun();
    await this.pending;
    const fh = this.spill as FileHandle;
    let runs: readonly Run[] = this.runs;
    // Extra passes only when runs outnumber the fan-in (beyond ~16 M records with the defaults).
    while (runs.length > this.maxFanIn) {
      const merged: Run[] = [];
      for (let g = 0; g < runs.length; g += this.maxFanIn) {
        const group = runs.slice(g, g + this.maxFanIn);
        const offset = this.spillSize;
        let written = 0;
        await mergeRuns(fh, group, async (block, count) => {
          await writeAll(fh, block.subarray(0, count * PAIR), offset + written * PAIR);
          written += count;
        });
        this.spillSize += written * PAIR;
        merged.push({ offset, count: written });
      }
      runs = merged;
    }
    const inflight: Promise<WorkerReply>[] = [];
    let pos = 0;
    await mergeRuns(fh, runs, async (block, count) => {
      inflight.push(this.pool.run({ type: 'range', buffer: copyOut(block, count * PAIR), count, start: pos, stride: PAIR, offset: 32 }));
      pos += count;
      while (inflight.length > this.pool.size * 2) acc.pushRange(toRange(await (inflight.shift() as Promise<WorkerReply>)));
    });
    for (const t of inflight) acc.pushRange(toRange(await t));
    return acc.root();
  }

  /** Closes and deletes the spill file (idempotent). */
  async close(): Promise<void> {
    await this.pending.catch(() => undefined);
    const fh = this.spill;
    this.spill = undefined;
    if (fh) await fh.close().catch(() => undefined);
    if (this.ownDir && this.spillDir !== undefined) await rm(this.spillDir, { recursive: true, force: true });
    else if (this.spillPath !== undefined) await rm(this.spillPath, { force: true });
    this.spillDir = undefined;
    this.spillPath = undefined;
  }
}

/** A fresh ArrayBuffer holding the first `bytes` of `buf`, safe to transfer to a worker. */
function copyOut(buf: Uint8Array, bytes: number): ArrayBuffer {
  const out = new Uint8Array(bytes);
  out.set(buf.subarray(0, bytes));
  return out.buffer;
}

async function writeAll(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off, position + off);
    off += bytesWritten;
  }
}

interface Cursor {
  readonly run: Run;
  buf: Buffer;
  /** `buf` as 32-bit words (its ArrayBuffer is its own, so aligned), for copying pairs. */
  words: Uint32Array;
  /** Byte offset of the current pair in buf. */
  pos: number;
  /** Bytes of buf that are valid. */
  len: number;
  /** Pairs of the run already loaded. */
  loaded: number;
  /** First 32 bits (big-endian) of the current digest: most comparisons end there. */
  key: number;
}

/**
 * k-way merge of sorted runs of the spill file; `emit` gets blocks of BLOCK pairs (the last
 * one shorter) in global order. The block buffer is reused once emit resolves.
 */
async function mergeRuns(fh: FileHandle, runs: readonly Run[], emit: (block: Buffer, count: number) => Promise<void>): Promise<void> {
  const refill = async (c: Cursor): Promise<boolean> => {
    const n = Math.min(SLICE, c.run.count - c.loaded);
    if (n === 0) return false;
    let got = 0;
    while (got < n * PAIR) {
      const { bytesRead } = await fh.read(c.buf, got, n * PAIR - got, c.run.offset + c.loaded * PAIR + got);
      if (bytesRead === 0) throw new ProvenantError('RECORD_INTERNAL', 'sort spill file ended early', { kind: 'internal' });
      got += bytesRead;
    }
    c.loaded += n;
    c.pos = 0;
    c.len = n * PAIR;
    c.key = c.buf.readUInt32BE(0);
    return true;
  };
  const heap: Cursor[] = [];
  for (const run of runs) {
    const buf = Buffer.allocUnsafeSlow(SLICE * PAIR);
    const c: Cursor = { run, buf, words: new Uint32Array(buf.buffer, buf.byteOffset, SLICE * 16), pos: 0, len: 0, loaded: 0, key: 0 };
    if (await refill(c)) heap.push(c);
  }
  const less = (a: Cursor, b: Cursor): boolean => {
    if (a.key !== b.key) return a.key < b.key;
    return a.buf.compare(b.buf, b.pos, b.pos + 32, a.pos, a.pos + 32) < 0;
  };
  const siftDown = (i: number): void => {
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && less(heap[r] as Cursor, heap[l] as Cursor) ? r : l;
      if (!less(heap[m] as Cursor, heap[i] as Cursor)) return;
      const t = heap[i] as Cursor;
      heap[i] = heap[m] as Cursor;
      heap[m] = t;
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  const block = Buffer.allocUnsafeSlow(BLOCK * PAIR);
  const blockWords = new Uint32Array(block.buffer, block.byteOffset, BLOCK * 16);
  let k = 0;
  while (heap.length > 0) {
    const c = heap[0] as Cursor;
    // 64-byte pair copied as 16 words: cheaper than a native copy call per pair.
    const src = c.words;
    const from = c.pos >>> 2;
    const to = k * 16;
    for (let x = 0; x < 16; x++) blockWords[to + x] = src[from + x] as number;
    k++;
    c.pos += PAIR;
    if (c.pos < c.len) c.key = c.buf.readUInt32BE(c.pos);
    else if (!(await refill(c))) {
      heap[0] = heap[heap.length - 1] as Cursor;
      heap.pop();
    }
    if (heap.length > 0) siftDown(0);
    if (k === BLOCK) {
      await emit(block, k);
      k = 0;
    }
  }
  if (k > 0) await emit(block, k);
}
