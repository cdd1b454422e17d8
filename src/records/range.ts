/**
 * Compact ranges of an RFC 9162 Merkle tree, so the node hashing of a tree can be split across
 * workers and merged on one thread in O(log n) per piece.
 *
 * The leaves [a, b) of a tree are covered by a unique sequence of maximal *aligned* perfect
 * subtrees (size 2^k starting at a multiple of 2^k): the compact range of [a, b). Every such
 * subtree is a node of the RFC 9162 §2.1.1 tree of any size ≥ its end, because the split point
 * (largest power of two below n) never cuts an aligned power-of-two block. So a worker holding the
 * leaf hashes of [a, b) returns only these O(log n) roots, and the owner of the tree appends them
 * in order to a RangeAccumulator, which reproduces exactly merkleRoot over all leaves.
 */
import * as crypto from 'node:crypto';
import { EMPTY_ROOT } from '../core/index.js';
import { sha256Into } from './digest.js';

const oneShot = typeof crypto.hash === 'function';

function sha256(data: Uint8Array): Buffer {
  return oneShot ? crypto.hash('sha256', data, 'buffer') : crypto.createHash('sha256').update(data).digest();
}


/** A compact range: `sizes[i]` leaves under the root at hashes[32i .. 32i+32), left to right. */
export interface CompactRange {
  readonly hashes: Uint8Array;
  readonly sizes: readonly number[];
}

/** Scratch for node hashes: 0x01 || left || right (RFC 9162 §2.1.1). */
const nodeIn = Buffer.alloc(65);
nodeIn[0] = 0x01;

/** RFC 9162 node hash of two 32-byte children. */
export function nodeHashOf(left: Uint8Array, right: Uint8Array): Buffer {
  nodeIn.set(left, 1);
  nodeIn.set(right, 33);
  return sha256(nodeIn);
}

/**
 * Root of the perfect subtree over `size` (a power of two) 32-byte nodes read from `src` at
 * `offset` with `stride` bytes between nodes; `work` must hold size/2 × 32 bytes.
 */
function perfectRoot(src: Uint8Array, offset: number, stride: number, size: number, work: Buffer): Buffer {
  if (size === 1) return Buffer.from(src.subarray(offset, offset + 32));
  // Byte loops rather than subarray()/copy(): at 32 bytes a view or a native call per node
  // costs more than the copy.
  for (let i = 0; i < size / 2; i++) {
    const p = offset + 2 * i * stride;
    const r = p + stride;
    for (let k = 0; k < 32; k++) {
      nodeIn[1 + k] = src[p + k] as number;
      nodeIn[33 + k] = src[r + k] as number;
    }
    sha256Into(nodeIn, work, i * 32);
  }
  for (let m = size / 2; m > 1; m /= 2) {
    for (let i = 0; i < m / 2; i++) {
      const p = i * 64;
      for (let k = 0; k < 64; k++) nodeIn[1 + k] = work[p + k] as number;
      sha256Into(nodeIn, work, i * 32);
    }
  }
  return Buffer.from(work.subarray(0, 32));
}

/**
 * Compact range of leaves [start, start + count), given their leaf hashes: node i at
 * `src[offset + i*stride .. +32)` (stride 32 for packed leaf hashes).
 */
export function compactRange(src: Uint8Array, count: number, start: number, stride = 32, offset = 0): CompactRange {
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`bad leaf range start ${start} count ${count}`);
  }
  const sizes: number[] = [];
  const roots: Buffer[] = [];
  let work: Buffer | undefined;
  let done = 0;
  while (done < count) {
    const pos = start + done;
    const left = count - done;
    // Largest power of two that divides pos (any, for pos 0) and fits in what is left.
    let size = 1;
    while (size * 2 <= left && pos % (size * 2) === 0) size *= 2;
    if (size > 1 && (!work || work.length < (size / 2) * 32)) work = Buffer.allocUnsafe((size / 2) * 32);
    roots.push(perfectRoot(src, offset + done * stride, stride, size, work as Buffer));
    sizes.push(size);
    done += size;
  }
  return { hashes: Buffer.concat(roots, roots.length * 32), sizes };
}

/**
 * Compact ranges of the same `count` packed leaf hashes at index `a` of one tree and at `b` of
 * another (a file's own tree and the delivery tree), sharing node hashes: when 2^t divides
 * b - a, every aligned subtree of up to 2^t leaves is aligned in both trees over the same
 * leaves, so it is hashed once and only the levels above 2^t are hashed per tree. Same result
 * as [compactRange(src, count, a), compactRange(src, count, b)].
 */
export function compactRangePair(src: Uint8Array, count: number, a: number, b: number): [CompactRange, CompactRange] {
  for (const v of [a, b]) {
    if (!Number.isSafeInteger(v) || v < 0 || !Number.isSafeInteger(count) || count < 0) throw new RangeError(`bad leaf range start ${v} count ${count}`);
  }
  // Shared levels 1..top: level j holds the aligned 2^j-leaf subtrees lying wholly inside the
  // block, from index base[j] (a leaf index in a's tree) on.
  let top = 0;
  const diff = Math.abs(b - a);
  while (top < 30 && 2 ** (top + 1) <= count && (diff === 0 || diff % 2 ** (top + 1) === 0)) top++;
  const levels: Uint8Array[] = [src.subarray(0, count * 32)];
  const base: number[] = [a];
  for (let j = 1; j <= top; j++) {
    const size = 2 ** j;
    const p = Math.ceil(a / size) * size;
    const n = Math.max(0, Math.floor((a + count - p) / size));
    const below = levels[j - 1] as Uint8Array;
    const from = (p - (base[j - 1] as number)) / (size / 2);
    const out = Buffer.allocUnsafe(n * 32);
    for (let i = 0; i < n; i++) {
      const q = (from + 2 * i) * 32;
      for (let k = 0; k < 64; k++) nodeIn[1 + k] = below[q + k] as number;
      sha256Into(nodeIn, out, i * 32);
    }
    levels.push(out);
    base.push(p);
  }
  const range = (start: number): CompactRange => {
    const sizes: number[] = [];
    // A compact range has at most two subtrees per bit of the leaf count.
    const roots = Buffer.allocUnsafe(2 * 54 * 32);
    let work: Buffer | undefined;
    let done = 0;
    while (done < count) {
      const pos = start + done;
      const left = count - done;
      let size = 1;
      let lg = 0;
      while (size * 2 <= left && pos % (size * 2) === 0) {
        size *= 2;
        lg++;
      }
      // The same leaves in a's tree start at a + done, aligned to min(size, 2^top) there too.
      const at = a + done;
      const j = Math.min(lg, top);
      const lv = levels[j] as Uint8Array;
      const idx = (at - (base[j] as number)) / 2 ** j;
      const m = size / 2 ** j;
      if (m > 1 && (!work || work.length < (m / 2) * 32)) work = Buffer.allocUnsafe((m / 2) * 32);
      roots.set(m === 1 ? lv.subarray(idx * 32, idx * 32 + 32) : perfectRoot(lv, idx * 32, 32, m, work as Buffer), sizes.length * 32);
      sizes.push(size);
      done += size;
    }
    return { hashes: Buffer.from(roots.subarray(0, sizes.length * 32)), sizes };
  };
  const ra = range(a);
  return [ra, b === a ? ra : range(b)];
}

/**
 * Appends compact ranges left to right and yields the RFC 9162 root; memory O(log n). Each
 * appended subtree must be aligned at the current size (as pieces of consecutive compact
 * ranges always are); anything else is a programming error and throws.
 */
export class RangeAccumulator {
  private readonly stack: Buffer[] = [];
  private readonly sizes: number[] = [];
  private n = 0;

  /** Number of leaves appended. */
  get size(): number {
    return this.n;
  }

  /** Appends the perfect subtree `hash` over `size` leaves (a power of two, n % size === 0). */
  pushSubtree(hash: Uint8Array, size: number): void {
    const pow2 = Number.isSafeInteger(size) && size >= 1 && Number.isInteger(Math.log2(size));
    if (!pow2 || this.n % size !== 0) {
      throw new RangeError(`subtree of ${size} leaves is not aligned at ${this.n}`);
    }
    let h = Buffer.from(hash.buffer, hash.byteOffset, 32);
    let s = size;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === s) {
      h = nodeHashOf(this.stack.pop() as Buffer, h);
      this.sizes.pop();
      s *= 2;
    }
    if (this.sizes.length > 0 && (this.sizes[this.sizes.length - 1] as number) < s) throw new RangeError('compact range appended out of order');
    this.stack.push(Buffer.from(h));
    this.sizes.push(s);
    this.n += size;
  }

  /** Appends every subtree of a compact range that starts at the current size. */
  pushRange(range: CompactRange): void {
    range.sizes.forEach((s, i) => this.pushSubtree(range.hashes.subarray(i * 32, i * 32 + 32), s));
  }

  /** RFC 9162 root over everything appended (the empty-tree hash when nothing was). */
  root(): Buffer {
    if (this.stack.length === 0) return Buffer.from(EMPTY_ROOT);
    let h = this.stack[this.stack.length - 1] as Buffer;
    for (let i = this.stack.length - 2; i >= 0; i--) h = nodeHashOf(this.stack[i] as Buffer, h);
    return Buffer.from(h);
  }
}
