/**
 * scanFile / streamFile: one read pass over a file gives its SHA-256 (of the bytes as stored) and
 * the digest and position of every record. This is the hot path of `seal`: JSONL and text (plain
 * or gzip) are cut into ~2 MB blocks at newline boundaries and handed to a worker pool, which
 * does all the per-record hashing (record digest, RFC 9162 leaf hash, and the node hashes of the
 * block's compact range in the per-file and delivery trees, see range.ts); results are consumed
 * in order, so the main thread only merges O(log n) roots per block. Other formats are digested
 * on the calling thread.
 *
 * streamFile hands records over in batches and keeps nothing per record, so a caller that
 * streams them on (seal: sidecar + external sort) stays in bounded memory whatever the file size.
 */
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { ProvenantError } from '../core/index.js';
import { ioError, readBytes, READ_BYTES } from './bytes.js';
import { leafHashes, permute, recordDigest, reduceNodes, sortedOrder, type RecordRoots } from './digest.js';
import { recordError } from './errors.js';
import { detectFormat } from './format.js';
import { lineTooLong, MAX_LINE_BYTES, type LineKind } from './lines.js';
import { createScanPool, type RangeMessage, type ScanPool, type WorkerReply } from './pool.js';
import { readParquetRows } from './parquet.js';
import { compactRange, RangeAccumulator, type CompactRange } from './range.js';
import { recordsFromBytes } from './read.js';
import type { FileScan, RecordFormat } from './types.js';

export interface ScanOptions {
  /** Path reported in the result and in errors (POSIX, relative to the delivery root). */
  readonly file: string;
  readonly format?: RecordFormat;
  /** Worker pool to use (shared across files); without one a pool is created and closed. */
  readonly pool?: ScanPool;
}

/** Consecutive records of one file, in file order. */
export interface RecordBatch {
  readonly count: number;
  /** count × 32 bytes: record digests. */
  readonly digests: Buffer;
  /** count × 32 bytes: RFC 9162 leaf hashes SHA-256(0x00 ‖ digest). */
  readonly leaves: Buffer;
  /** 1-based line or data row of each record. */
  readonly positions: Uint32Array;
  /** The batch's compact range in the delivery-wide tree (when `deliveryStart` was given). */
  readonly deliveryRange?: CompactRange;
}

export interface StreamOptions extends ScanOptions {
  /** Delivery-wide index of the file's first record: batches then carry `deliveryRange`. */
  readonly deliveryStart?: number;
  /** Receives every batch in order; awaited before the next one (back-pressure). */
  readonly onBatch: (batch: RecordBatch) => void | Promise<void>;
}

/** A file scan without the per-record data (which went to StreamOptions.onBatch). */
export type FileSummary = Omit<FileScan, 'digests' | 'positions'>;

/** Target size of a block handed to a worker. */
const CHUNK_BYTES = 2 << 20;
/** Leaves per Merkle subtree task (a power of two, so blocks are subtrees of the RFC 9162 tree). */
const TREE_BLOCK = 1 << 14;
/** Records per batch for formats digested on the calling thread. */
const LOCAL_BATCH = 4096;

/** Growable concatenation of 32-byte hashes. */
class HashList {
  buf = Buffer.allocUnsafe(32 * 4096);
  count = 0;
  append(d: Uint8Array): void {
    const need = this.count * 32 + d.length;
    if (need > this.buf.length) {
      const g = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(g, 0, 0, this.count * 32);
      this.buf = g;
    }
    this.buf.set(d, this.count * 32);
    this.count += d.length / 32;
  }
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.count * 32));
  }
}

/**
 * RFC 9162 leaf hashes of each scan's digests, kept beside the FileScan (keyed by its digests
 * Buffer) so deliveryRoots does not hash every leaf a second time.
 */
const leafCache = new WeakMap<Buffer, Buffer>();

/** Reads `absPath` once: file SHA-256, size, record digests, positions and the per-file recordRoot. */
export async function scanFile(absPath: string, options: ScanOptions): Promise<FileScan> {
  const list = new HashList();
  const leafList = new HashList();
  const pos: Uint32Array[] = [];
  const summary = await streamFile(absPath, {
    ...options,
    onBatch: (b) => {
      list.append(b.digests);
      leafList.append(b.leaves);
      pos.push(b.positions);
    },
  });
  const digests = list.take();
  leafCache.set(digests, leafList.take());
  const positions = new Uint32Array(list.count);
  let o = 0;
  for (const p of pos) {
    positions.set(p, o);
    o += p.length;
  }
  return { ...summary, digests, positions };
}

/**
 * Reads `absPath` once and streams its records' digests to `onBatch`; returns the file's SHA-256,
 * size, record count and per-file recordRoot. Memory does not grow with the file.
 */
export async function streamFile(absPath: string, options: StreamOptions): Promise<FileSummary> {
  const { file } = options;
  const spec = detectFormat(absPath, options.format);
  const hash = createHash('sha256');
  const lines = spec.format === 'jsonl' || spec.format === 'text';
  const ownPool = lines && !options.pool ? createScanPool() : undefined;
  const pool = options.pool ?? ownPool;
  try {
    const acc = new RangeAccumulator();
    let size = 0;
    if (lines) {
      size = await scanLines(spec.format as LineKind, absPath, spec.gzip, file, hash, acc, pool as ScanPool, options);
    } else {
      const local = new LocalBatcher(acc, options);
      const onStored = (b: Buffer): void => {
        hash.update(b);
        size += b.length;
      };
      if (spec.format === 'parquet') {
        for await (const [row, value] of readParquetRows(absPath, file)) await local.add(recordDigest(value), row);
        for await (const b of readBytes(absPath, false, file)) onStored(b);
      } else {
        for await (const item of recordsFromBytes(spec.format, readBytes(absPath, spec.gzip, file, onStored), file)) {
          await local.add(recordDigest(item.value), (spec.format === 'json' ? item.line : item.row) ?? item.index + 1);
        }
      }
      await local.flush();
    }
    return {
      file,
      format: spec.format,
      gzip: spec.gzip,
      size,
      sha256: hash.digest('hex'),
      records: acc.size,
      positionKind: spec.format === 'csv' || spec.format === 'tsv' || spec.format === 'parquet' ? 'row' : 'line',
      recordRoot: acc.root().toString('hex'),
    };
  } finally {
    await ownPool?.close();
  }
}

/** Batches digests computed on the calling thread (non-line formats) and hashes their tree pieces here. */
class LocalBatcher {
  private readonly digests = Buffer.allocUnsafe(LOCAL_BATCH * 32);
  private readonly positions = new Uint32Array(LOCAL_BATCH);
  private n = 0;
  constructor(
    private readonly acc: RangeAccumulator,
    private readonly options: StreamOptions,
  ) {}

  async add(digest: Uint8Array, position: number): Promise<void> {
    this.digests.set(digest, this.n * 32);
    this.positions[this.n++] = position;
    if (this.n === LOCAL_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    const count = this.n;
    if (count === 0) return;
    this.n = 0;
    const digests = Buffer.from(this.digests.subarray(0, count * 32));
    const leaves = leafHashes(digests, count);
    const fileStart = this.acc.size;
    const fileRange = compactRange(leaves, count, fileStart);
    this.acc.pushRange(fileRange);
    const ds = this.options.deliveryStart;
    const deliveryRange = ds === undefined ? undefined : ds === 0 ? fileRange : compactRange(leaves, count, ds + fileStart);
    await this.options.onBatch({ count, digests, leaves, positions: this.positions.slice(0, count), ...(deliveryRange ? { deliveryRange } : {}) });
  }
}

function fromMessage(m: RangeMessage): CompactRange {
  return { hashes: new Uint8Array(m.hashes), sizes: m.sizes };
}

/** recordRoot and recordSetRoot of any digests, with the Merkle work spread over `pool` (same result as recordRoots). */
export async function computeRecordRoots(digests: Uint8Array, options: { readonly pool?: ScanPool } = {}): Promise<RecordRoots> {
  if (digests.length % 32 !== 0) throw new RangeError(`record digests must be a multiple of 32 bytes, got ${digests.length}`);
  const n = digests.length / 32;
  const buf = Buffer.from(digests.buffer, digests.byteOffset, digests.byteLength);
  const leaves = leafHashes(buf, n);
  const sorted = permute(leaves, sortedOrder(buf, n));
  const [a, b] = await Promise.all([nodesRoot(leaves, n, options.pool), nodesRoot(sorted, n, options.pool)]);
  return { recordRoot: a.toString('hex'), recordSetRoot: b.toString('hex') };
}

/**
 * Delivery record roots over several file scans in the given order (callers sort files by path):
 * reuses each scan's leaf hashes and, for a single file, its recordRoot.
 */
export async function deliveryRoots(scans: readonly FileScan[], options: { readonly pool?: ScanPool } = {}): Promise<RecordRoots> {
  const n = scans.reduce((k, s) => k + s.records, 0);
  const digests = scans.length === 1 && scans[0] ? scans[0].digests : Buffer.concat(scans.map((s) => s.digests), n * 32);
  const leaves = scans.length === 1 && scans[0] ? leavesOf(scans[0]) : Buffer.concat(scans.map(leavesOf), n * 32);
  const sorted = permute(leaves, sortedOrder(digests, n));
  const ordered = scans.length === 1 && scans[0] ? undefined : nodesRoot(leaves, n, options.pool);
  const [a, b] = await Promise.all([ordered, nodesRoot(sorted, n, options.pool)]);
  return { recordRoot: a ? a.toString('hex') : (scans[0] as FileScan).recordRoot, recordSetRoot: b.toString('hex') };
}

function leavesOf(scan: FileScan): Buffer {
  return leafCache.get(scan.digests) ?? leafHashes(scan.digests, scan.records);
}

/**
 * RFC 9162 root over `count` leaf hashes (left intact): aligned 2^14-leaf subtrees are reduced
 * in pool workers (each is a subtree of the full tree), the few top levels here.
 */
async function nodesRoot(leaves: Buffer, count: number, pool: ScanPool | undefined): Promise<Buffer> {
  if (!pool || count <= TREE_BLOCK) return reduceNodes(Buffer.from(leaves.subarray(0, count * 32)), count);
  const tasks: Promise<WorkerReply>[] = [];
  for (let lo = 0; lo < count; lo += TREE_BLOCK) {
    const hi = Math.min(count, lo + TREE_BLOCK);
    const part = new Uint8Array((hi - lo) * 32);
    part.set(leaves.subarray(lo * 32, hi * 32));
    tasks.push(pool.run({ type: 'tree', buffer: part.buffer, count: hi - lo, leafHashed: true }));
  }
  const replies = await Promise.all(tasks);
  const work = Buffer.allocUnsafe(replies.length * 32);
  replies.forEach((r, i) => {
    if (r.type !== 'tree') throw new ProvenantError('RECORD_INTERNAL', 'unexpected worker reply', { kind: 'internal' });
    work.set(new Uint8Array(r.root), i * 32);
  });
  return reduceNodes(work, replies.length);
}

/**
 * Fills fixed-size blocks from a byte stream and cuts each after its last newline; the tail
 * moves to the next block. Blocks are handed to `send` (their ArrayBuffer is then transferred).
 */
class LineChunker {
  private buf = new Uint8Array(CHUNK_BYTES);
  private filled = 0;
  first = true;
  /** Blocks the workers handed back, refilled instead of allocating (and faulting in) new ones. */
  private readonly free: ArrayBuffer[] = [];
  constructor(private readonly send: (buffer: ArrayBuffer, length: number, first: boolean) => void) {}

  /** Returns a block a worker is done with. */
  recycle(block: ArrayBuffer): void {
    if (block.byteLength === CHUNK_BYTES && this.free.length < 8) this.free.push(block);
  }

  /** Space to read into directly. */
  room(): Uint8Array {
    return this.buf.subarray(this.filled);
  }

  /** Declares `n` bytes written into room(); returns false when a line outgrows MAX_LINE_BYTES. */
  commit(n: number): boolean {
    this.filled += n;
    return this.filled < this.buf.length || this.cut();
  }

  push(piece: Uint8Array): boolean {
    let p = piece;
    while (p.length > 0) {
      const r = this.room();
      const k = Math.min(r.length, p.length);
      r.set(p.subarray(0, k));
      p = p.subarray(k);
      if (!this.commit(k)) return false;
    }
    return true;
  }

  private cut(): boolean {
    const cut = this.buf.lastIndexOf(0x0a, this.filled - 1) + 1;
    if (cut === 0) {
      if (this.buf.length >= MAX_LINE_BYTES) return false;
      const g = new Uint8Array(this.buf.length * 2);
      g.set(this.buf.subarray(0, this.filled));
      this.buf = g;
      return true;
    }
    const rest = this.filled - cut;
    const spare = rest * 2 <= CHUNK_BYTES ? this.free.pop() : undefined;
    const next = spare ? new Uint8Array(spare) : new Uint8Array(Math.max(CHUNK_BYTES, rest * 2));
    next.set(this.buf.subarray(cut, this.filled));
    this.emit(cut);
    this.buf = next;
    this.filled = rest;
    return true;
  }

  private emit(length: number): void {
    const first = this.first;
    this.first = false;
    this.send(this.buf.buffer as ArrayBuffer, length, first);
  }

  finish(): void {
    if (this.filled > 0) this.emit(this.filled);
    this.filled = 0;
  }
}

/**
 * Records in a block of lines: one per '\n', plus a final unterminated one (as the worker counts
 * them). Buffer#indexOf is memchr; a plain Uint8Array's indexOf compares element by element in JS
 * builtins and cost ~10× more here.
 */
function countRecords(block: Buffer): number {
  let n = 0;
  for (let i = block.indexOf(0x0a); i !== -1; i = block.indexOf(0x0a, i + 1)) n++;
  return block.length > 0 && block[block.length - 1] !== 0x0a ? n + 1 : n;
}

async function scanLines(
  kind: LineKind,
  absPath: string,
  gzip: boolean,
  file: string,
  hash: Hash,
  acc: RangeAccumulator,
  pool: ScanPool,
  options: StreamOptions,
): Promise<number> {
  const inflight: { reply: Promise<WorkerReply>; expected: number }[] = [];
  const maxInflight = pool.size * 3;
  // Record indices are known before a block is parsed (one record per line), so each worker can
  // hash its block's pieces of the file and delivery trees at their final positions.
  let dispatched = 0;
  let done = 0;
  const chunker = new LineChunker((buffer, length, first) => {
    const expected = countRecords(Buffer.from(buffer, 0, length));
    const ds = options.deliveryStart;
    const reply = pool.run({
      type: 'lines',
      kind,
      file,
      buffer,
      length,
      firstInFile: first,
      records: expected,
      fileStart: dispatched,
      ...(ds !== undefined ? { deliveryStart: ds + dispatched } : {}),
    });
    reply.catch(() => undefined); // consumed in order below; avoid unhandled rejections when abandoned
    inflight.push({ reply, expected });
    dispatched += expected;
  });
  const drainOne = async (): Promise<void> => {
    const next = inflight.shift() as { reply: Promise<WorkerReply>; expected: number };
    const reply = await next.reply;
    if (reply.type !== 'lines') throw new ProvenantError('RECORD_INTERNAL', 'unexpected worker reply', { kind: 'internal' });
    if (reply.block) chunker.recycle(reply.block);
    const before = done;
    if (reply.failure) {
      // Every line before the failure was a record, so its absolute line is before + chunk line.
      const f = reply.failure;
      const line = before + f.line;
      throw recordError(f.code, f.message, f.path === undefined ? { file, line } : { file, line, path: f.path });
    }
    if (reply.count !== next.expected || !reply.fileRange) {
      throw new ProvenantError('RECORD_INTERNAL', `worker digested ${reply.count} records of a block of ${next.expected} lines`, { kind: 'internal' });
    }
    acc.pushRange(fromMessage(reply.fileRange));
    const half = reply.count * 32;
    const positions = new Uint32Array(reply.count);
    for (let i = 0; i < positions.length; i++) positions[i] = before + i + 1;
    done += reply.count;
    await options.onBatch({
      count: reply.count,
      digests: Buffer.from(reply.digests, 0, half),
      leaves: Buffer.from(reply.digests, half, half),
      positions,
      ...(reply.deliveryRange ? { deliveryRange: fromMessage(reply.deliveryRange) } : {}),
    });
  };
  const tooLong = async (): Promise<never> => {
    while (inflight.length > 0) await drainOne();
    throw lineTooLong(file, done + 1);
  };
  let size = 0;
  if (!gzip) {
    let fh;
    try {
      fh = await open(absPath, 'r');
    } catch (err) {
      throw ioError(err, file);
    }
    try {
      for (;;) {
        const room = chunker.room();
        let bytesRead: number;
        try {
          ({ bytesRead } = await fh.read(room, 0, Math.min(room.length, READ_BYTES * 4), null));
        } catch (err) {
          throw ioError(err, file);
        }
        if (bytesRead === 0) break;
        hash.update(room.subarray(0, bytesRead));
        size += bytesRead;
        if (!chunker.commit(bytesRead)) await tooLong();
        while (inflight.length > maxInflight) await drainOne();
      }
    } finally {
      await fh.close();
    }
  } else {
    for await (const piece of readBytes(absPath, true, file, (b) => {
      hash.update(b);
      size += b.length;
    })) {
      if (!chunker.push(piece)) await tooLong();
      while (inflight.length > maxInflight) await drainOne();
    }
  }
  chunker.finish();
  while (inflight.length > 0) await drainOne();
  return size;
}
