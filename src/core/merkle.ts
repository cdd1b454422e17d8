/**
 * RFC 9162 §2.1 Merkle Tree Hash: leaf = SHA-256(0x00 || d), node = SHA-256(0x01 || l || r),
 * the empty tree hashes to SHA-256(""). Shared by record roots (records/), record proofs (seal/)
 * and the transparency log (tlog/). Proof verification lives in tlog/.
 */
import { createHash } from 'node:crypto';

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

/** RFC 9162 §2.1.1 leaf hash. */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF).update(data).digest();
}

/** RFC 9162 §2.1.1 interior node hash. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/** Root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/**
 * Streaming tree-head computation in O(log n) memory: keeps the roots of the perfect subtrees
 * of the leaves seen so far (the "compact range" of the left edge).
 */
export class MerkleAccumulator {
  private readonly stack: Buffer[] = [];
  private readonly sizes: number[] = [];
  private n = 0;

  /** Appends a leaf whose *data* is `data` (it is leaf-hashed here). */
  push(data: Uint8Array): void {
    this.pushLeafHash(leafHash(data));
  }

  /** Appends an already leaf-hashed entry. */
  pushLeafHash(h: Buffer): void {
    let hash = h;
    let size = 1;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === size) {
      const left = this.stack.pop() as Buffer;
      this.sizes.pop();
      hash = nodeHash(left, hash);
      size *= 2;
    }
    this.stack.push(hash);
    this.sizes.push(size);
    this.n++;
  }

  get size(): number {
    return this.n;
  }

  /** The RFC 9162 root over all leaves pushed so far. */
  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let h = this.stack[this.stack.length - 1] as Buffer;
    for (let i = this.stack.length - 2; i >= 0; i--) h = nodeHash(this.stack[i] as Buffer, h);
    return h;
  }
}

/** Root over leaf data items (each is leaf-hashed). */
export function merkleRoot(leaves: Iterable<Uint8Array>): Buffer {
  const acc = new MerkleAccumulator();
  for (const l of leaves) acc.push(l);
  return acc.root();
}

/** Largest power of two strictly less than n (n ≥ 2), RFC 9162 §2.1.1 split point. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * RFC 9162 §2.1.3.1 inclusion proof for leaf `index` in a tree over `leafHashes` (already
 * leaf-hashed), bottom-up audit path.
 */
export function inclusionProof(leafHashes: readonly Buffer[], index: number): Buffer[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafHashes.length) {
    throw new RangeError(`leaf index ${index} outside tree of size ${leafHashes.length}`);
  }
  const path: Buffer[] = [];
  const rec = (lo: number, hi: number, m: number): void => {
    const n = hi - lo;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      rec(lo, lo + k, m);
      path.push(subtreeRoot(leafHashes, lo + k, hi));
    } else {
      rec(lo + k, hi, m - k);
      path.push(subtreeRoot(leafHashes, lo, lo + k));
    }
  };
  rec(0, leafHashes.length, index);
  return path;
}

/** Root of leafHashes[lo, hi). */
export function subtreeRoot(leafHashes: readonly Buffer[], lo: number, hi: number): Buffer {
  if (hi - lo === 0) return EMPTY_ROOT;
  const acc = new MerkleAccumulator();
  for (let i = lo; i < hi; i++) acc.pushLeafHash(leafHashes[i] as Buffer);
  return acc.root();
}
