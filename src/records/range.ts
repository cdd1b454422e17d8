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
  for (let i = 0; i < size / 2; i++) {
    const p = offset + 2 * i * stride;
    nodeIn.set(src.subarray(p, p + 32), 1);
    nodeIn.set(src.subarray(p + stride, p + stride + 32), 33);
    work.set(sha256(nodeIn), i * 32);
  }
  for (let m = size / 2; m > 1; m /= 2) {
    for (let i = 0; i < m / 2; i++) {
      work.copy(nodeIn, 1, i * 64, i * 64 + 64);
      work.set(sha256(nodeIn), i * 32);
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
