/**
 * Record digests and record roots (DESIGN §2). A record digest is SHA-256 over the UTF-8 of the
 * record's RFC 8785 canonical JSON. Record roots are RFC 9162 §2.1.1 Merkle tree hashes whose
 * leaves are the 32-byte record digests: `recordRoot` in delivery order, `recordSetRoot` over the
 * digests sorted bytewise (equal for any reordering of the same records).
 *
 * Trees are computed level by level inside one Buffer: pairing adjacent nodes and carrying an
 * odd last node up unchanged yields exactly the RFC 9162 tree (its split point k, the largest
 * power of two below n, always falls on a pair boundary of every level).
 */
import * as crypto from 'node:crypto';
import { canonicalize, EMPTY_ROOT } from '../core/index.js';

const oneShot = typeof crypto.hash === 'function';

/**
 * SHA-256 of `data` (bytes, or a string hashed as its UTF-8) into `out` at `offset`. This is the
 * hot call of `seal` (4–5 per record): crypto.hash needs no Hash object, and asking it for a
 * 'binary' (latin1) string, one char per byte, instead of a Buffer avoids allocating an
 * ArrayBuffer per call, which cost more than the hashing itself at record sizes (measured on
 * Node 20: ~1.1 µs per 65-byte hash as a Buffer, ~0.3 µs as a string written back).
 */
export function sha256Into(data: Uint8Array | string, out: Buffer, offset: number): void {
  if (!oneShot) out.set(crypto.createHash('sha256').update(data).digest(), offset);
  else if (directLatin1) (out as unknown as Latin1Writer).latin1Write(crypto.hash('sha256', data, 'binary'), offset, 32);
  else out.write(crypto.hash('sha256', data, 'binary'), offset, 32, 'latin1');
}

/** Buffer's own latin1 writer (what buf.write(s, o, n, 'latin1') calls after normalizing its arguments). */
interface Latin1Writer {
  latin1Write(s: string, offset: number, length: number): number;
}
const directLatin1 = typeof (Buffer.prototype as unknown as Partial<Latin1Writer>).latin1Write === 'function';

/** SHA-256 of the RFC 8785 canonical JSON of `value` (the record digest). */
export function recordDigest(value: unknown): Buffer {
  return crypto.createHash('sha256').update(canonicalize(value), 'utf8').digest();
}

/** RFC 9162 leaf hashes SHA-256(0x00 || d) of `count` 32-byte digests, concatenated. */
export function leafHashes(digests: Uint8Array, count: number): Buffer {
  const out = Buffer.allocUnsafe(count * 32);
  const scratch = Buffer.alloc(33);
  for (let i = 0; i < count; i++) {
    scratch.set(digests.subarray(i * 32, i * 32 + 32), 1);
    sha256Into(scratch, out, i * 32);
  }
  return out;
}

/**
 * Reduces `count` nodes of 32 bytes (already hashed: leaf hashes or subtree roots) held in `work`
 * to the RFC 9162 root, in place. `work` is overwritten.
 */
export function reduceNodes(work: Buffer, count: number): Buffer {
  if (count === 0) return Buffer.from(EMPTY_ROOT);
  const scratch = Buffer.alloc(65);
  scratch[0] = 0x01;
  let m = count;
  while (m > 1) {
    const pairs = m >>> 1;
    for (let i = 0; i < pairs; i++) {
      work.copy(scratch, 1, i * 64, i * 64 + 64);
      sha256Into(scratch, work, i * 32);
    }
    if (m & 1) work.copy(work, pairs * 32, (m - 1) * 32, m * 32);
    m = pairs + (m & 1);
  }
  return Buffer.from(work.subarray(0, 32));
}

/** RFC 9162 root over `count` 32-byte record digests (leaf data) in the given order. */
export function rootOfDigests(digests: Uint8Array, count: number): Buffer {
  return reduceNodes(leafHashes(digests, count), count);
}

/** Indices 0..n-1 ordered by the bytewise order of their 32-byte digests. */
export function sortedOrder(digests: Buffer, count: number): Uint32Array {
  const idx = new Uint32Array(count);
  // A 48-bit prefix as a double orders nearly every pair with one float compare; ties fall
  // back to the full 32-byte comparison (no per-compare allocation).
  const prefix = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    idx[i] = i;
    prefix[i] = digests.readUIntBE(i * 32, 6);
  }
  idx.sort((a, b) => (prefix[a] as number) - (prefix[b] as number) || digests.compare(digests, b * 32, b * 32 + 32, a * 32, a * 32 + 32));
  return idx;
}

/** `digests` reordered by `order` (one new Buffer). */
export function permute(digests: Buffer, order: Uint32Array): Buffer {
  const out = Buffer.allocUnsafe(order.length * 32);
  for (let i = 0; i < order.length; i++) {
    const j = order[i] as number;
    digests.copy(out, i * 32, j * 32, j * 32 + 32);
  }
  return out;
}

export interface RecordRoots {
  /** Lowercase hex RFC 9162 root over the record digests in delivery order. */
  readonly recordRoot: string;
  /** Lowercase hex RFC 9162 root over the record digests sorted bytewise. */
  readonly recordSetRoot: string;
}

function checkDigests(digests: Uint8Array): number {
  if (digests.length % 32 !== 0) throw new RangeError(`record digests must be a multiple of 32 bytes, got ${digests.length}`);
  return digests.length / 32;
}

/** recordRoot and recordSetRoot of concatenated 32-byte record digests (single thread). */
export function recordRoots(digests: Uint8Array): RecordRoots {
  const n = checkDigests(digests);
  const buf = Buffer.from(digests.buffer, digests.byteOffset, digests.byteLength);
  const leaves = leafHashes(buf, n);
  const order = sortedOrder(buf, n);
  const sortedLeaves = permute(leaves, order);
  return { recordRoot: reduceNodes(leaves, n).toString('hex'), recordSetRoot: reduceNodes(sortedLeaves, n).toString('hex') };
}
