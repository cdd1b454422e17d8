/**
 * RFC 9162 §2.1 Merkle proofs for the log: verification of inclusion (§2.1.3.2) and consistency
 * (§2.1.4.2) proofs, and their generation (§2.1.3.1, §2.1.4.1) from stored node hashes.
 *
 * Proof generation never needs the leaves: every proof element is the hash of a subtree, and
 * every subtree is the fold of at most log2(n) *perfect* subtrees, i.e. nodes addressed by
 * (level, index) = MTH(D[index·2^level : (index+1)·2^level]). A tiled log stores exactly those
 * nodes, so a store answers a proof with one batched read: ask a plan which nodes it needs,
 * read them (sync or async, the plan does not care), then let the plan assemble the proof.
 *
 * Sizes and indices are numbers checked to be safe integers (< 2^53); bit operations go
 * through bigint so they stay exact above 2^32.
 */
import { EMPTY_ROOT, digestEqual, nodeHash } from '../core/index.js';
import { isIndex } from './encoding.js';
import { LOG_ERROR_CODES as C, LogError, verificationError } from './errors.js';

/** SHA-256 output size: every leaf hash, node hash and proof element has this length. */
export const HASH_SIZE = 32;

/** A perfect subtree: MTH(D[index·2^level : (index+1)·2^level]). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Reads the stored hash of a perfect subtree (level 0 = leaf hashes). */
export type GetNode = (level: number, index: number) => Uint8Array;

/** The nodes a computation needs, and how to turn their hashes (in that order) into the result. */
export interface NodePlan<T> {
  readonly nodes: readonly NodeId[];
  assemble(hashes: readonly Uint8Array[]): T;
}

function checkIndex(name: string, n: number): void {
  if (!isIndex(n)) {
    throw new LogError(C.RANGE, `${name} must be a non-negative safe integer, got ${String(n)}`);
  }
}

function checkHashArg(name: string, h: Uint8Array, code: typeof C.INCLUSION_INVALID | typeof C.CONSISTENCY_INVALID): void {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    throw verificationError(code, `${name} must be a ${HASH_SIZE}-byte SHA-256 hash, got ${h instanceof Uint8Array ? h.length : 0} bytes`, {
      details: { reason: 'hash-size' },
    });
  }
}

const ONE = 1n;
const lsb = (x: bigint): boolean => (x & ONE) === ONE;

/**
 * RFC 9162 §2.1.3.2: recomputes the root from a leaf hash and its audit path. Throws
 * TLOG_INCLUSION_INVALID when the shape is wrong (index ≥ size, wrong hash sizes, too many or
 * too few proof hashes).
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer {
  // Proof inputs come from outside: any unusable number is a failed proof, never a RangeError.
  if (!isIndex(index) || !isIndex(size)) {
    throw verificationError(C.INCLUSION_INVALID, `leaf index ${String(index)} and tree size ${String(size)} must be non-negative integers below 2^53`, {
      details: { reason: 'unsupported-number' },
    });
  }
  if (index >= size) {
    throw verificationError(C.INCLUSION_INVALID, `leaf index ${index} is not inside a tree of size ${size}`, {
      details: { reason: 'index-out-of-range', index, size },
    });
  }
  checkHashArg('leaf hash', leafHash, C.INCLUSION_INVALID);
  proof.forEach((p, i) => checkHashArg(`inclusion proof hash ${i}`, p, C.INCLUSION_INVALID));
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0n) {
      throw verificationError(C.INCLUSION_INVALID, `inclusion proof has too many hashes (${proof.length}) for leaf ${index} in a tree of size ${size}`, {
        details: { reason: 'proof-too-long', index, size },
      });
    }
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0n) {
          fn >>= ONE;
          sn >>= ONE;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= ONE;
    sn >>= ONE;
  }
  if (sn !== 0n) {
    throw verificationError(C.INCLUSION_INVALID, `inclusion proof has too few hashes (${proof.length}) for leaf ${index} in a tree of size ${size}`, {
      details: { reason: 'proof-too-short', index, size },
    });
  }
  return r;
}

/** RFC 9162 §2.1.3.2: throws TLOG_INCLUSION_INVALID unless `proof` proves leaf `index` under `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  if (!digestEqual(computed, root)) {
    throw verificationError(C.INCLUSION_INVALID, `inclusion proof for leaf ${index} does not lead to the tree head root of size ${size}: the entry, the proof or the root was altered`, {
      details: { reason: 'root-mismatch', index, size },
    });
  }
}

/**
 * RFC 9162 §2.1.4.2: throws TLOG_CONSISTENCY_INVALID unless the tree of size `size2` with root
 * `root2` extends the tree of size `size1` with root `root1`. Equal sizes need an empty proof and
 * equal roots. A size-0 first tree is rejected: such a "proof" shows nothing, so callers that
 * trusted an empty tree simply accept any later tree.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  const fail = (reason: string, message: string): LogError =>
    verificationError(C.CONSISTENCY_INVALID, message, { details: { reason, size1, size2 } });
  if (!isIndex(size1) || !isIndex(size2)) {
    throw fail('unsupported-number', `tree sizes ${String(size1)} and ${String(size2)} must be non-negative integers below 2^53`);
  }
  if (size2 < size1) {
    throw fail('shrunk', `tree size went down from ${size1} to ${size2}: a log never shrinks (rollback or split view)`);
  }
  if (size1 === size2) {
    if (proof.length !== 0) throw fail('proof-not-empty', `consistency proof between equal sizes ${size1} must be empty, got ${proof.length} hashes`);
    if (size1 === 0) throw fail('empty-tree', 'consistency between two empty trees proves nothing; compare roots with EMPTY_ROOT instead');
    if (!digestEqual(root1, root2)) throw fail('root-mismatch', `two tree heads of size ${size1} have different roots (split view)`);
    return;
  }
  if (size1 === 0) throw fail('empty-tree', 'consistency from the empty tree proves nothing; any tree extends it');
  if (proof.length === 0) throw fail('proof-empty', `consistency proof from size ${size1} to ${size2} is empty`);
  checkHashArg('first root', root1, C.CONSISTENCY_INVALID);
  checkHashArg('second root', root2, C.CONSISTENCY_INVALID);
  proof.forEach((p, i) => checkHashArg(`consistency proof hash ${i}`, p, C.CONSISTENCY_INVALID));

  // Step 2: when size1 is a power of two the first tree is a node of the second, and its root
  // is the starting point instead of being sent in the proof.
  const path: Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = BigInt(size1 - 1);
  let sn = BigInt(size2 - 1);
  while (lsb(fn)) {
    fn >>= ONE;
    sn >>= ONE;
  }
  const first = path[0] as Uint8Array;
  let fr: Buffer = Buffer.from(first);
  let sr: Buffer = Buffer.from(first);
  for (const c of path.slice(1)) {
    if (sn === 0n) throw fail('proof-too-long', `consistency proof from size ${size1} to ${size2} has too many hashes (${proof.length})`);
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0n) {
          fn >>= ONE;
          sn >>= ONE;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= ONE;
    sn >>= ONE;
  }
  if (sn !== 0n) throw fail('proof-too-short', `consistency proof from size ${size1} to ${size2} has too few hashes (${proof.length})`);
  // Both checks always run so the time taken does not reveal which root failed.
  const ok1 = digestEqual(fr, root1);
  const ok2 = digestEqual(sr, root2);
  if (!ok1 || !ok2) {
    throw fail('root-mismatch', `consistency proof from size ${size1} to ${size2} does not match the ${ok1 ? 'second' : 'first'} root: the log rewrote history or the proof was altered`);
  }
}

function isPowerOfTwo(n: number): boolean {
  const b = BigInt(n);
  return b > 0n && (b & (b - ONE)) === 0n;
}

/** Largest power of two strictly below n (n ≥ 2): the RFC 9162 §2.1.1 split point. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The perfect subtrees, left to right, whose fold is MTH(D[lo:hi]). Valid for the subtree ranges
 * RFC 9162 proofs use (lo aligned to the largest piece), where the pieces are the binary digits
 * of hi - lo in descending order.
 */
export function perfectSubtrees(lo: number, hi: number): NodeId[] {
  const out: NodeId[] = [];
  let at = lo;
  while (at < hi) {
    let width = 1;
    let level = 0;
    while (at % (width * 2) === 0 && at + width * 2 <= hi) {
      width *= 2;
      level++;
    }
    out.push({ level, index: at / width });
    at += width;
  }
  return out;
}

/** Folds the perfect subtree hashes of one range right to left into the range's MTH. */
function foldRange(hashes: readonly Buffer[]): Buffer {
  let h = hashes[hashes.length - 1];
  if (h === undefined) return EMPTY_ROOT;
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i] as Buffer, h);
  return h;
}

/** Builds a plan whose result is one hash per range (each range given as its perfect subtrees). */
function rangesPlan(ranges: readonly NodeId[][]): NodePlan<Buffer[]> {
  const nodes = ranges.flat();
  return {
    nodes,
    assemble(hashes: readonly Uint8Array[]): Buffer[] {
      checkNodeHashes(nodes, hashes);
      const out: Buffer[] = [];
      let at = 0;
      for (const r of ranges) {
        out.push(foldRange(hashes.slice(at, at + r.length).map((h) => Buffer.from(h))));
        at += r.length;
      }
      return out;
    },
  };
}

function checkNodeHashes(nodes: readonly NodeId[], hashes: readonly Uint8Array[]): void {
  if (hashes.length !== nodes.length) {
    throw new LogError(C.NODE_INVALID, `node source returned ${hashes.length} hashes for ${nodes.length} nodes`, { kind: 'internal' });
  }
  hashes.forEach((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      const n = nodes[i] as NodeId;
      throw new LogError(C.NODE_INVALID, `node (level ${n.level}, index ${n.index}) is missing or not ${HASH_SIZE} bytes; the log store is damaged`, {
        kind: 'internal',
        details: { level: n.level, index: n.index },
      });
    }
  });
}

/** RFC 9162 §2.1.3.1 PATH(index, D[size]) as a node plan; the result is the audit path, leaf side first. */
export function inclusionProofPlan(index: number, size: number): NodePlan<Buffer[]> {
  checkIndex('leaf index', index);
  checkIndex('tree size', size);
  if (index >= size) throw new LogError(C.RANGE, `leaf index ${index} is not inside a tree of size ${size}`);
  const topDown: NodeId[][] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = split(hi - lo);
    if (index < lo + k) {
      topDown.push(perfectSubtrees(lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(perfectSubtrees(lo, lo + k));
      lo += k;
    }
  }
  return rangesPlan(topDown.reverse());
}

/** RFC 9162 §2.1.4.1 PROOF(size1, D[size2]) as a node plan (0 < size1 ≤ size2). */
export function consistencyProofPlan(size1: number, size2: number): NodePlan<Buffer[]> {
  checkIndex('first tree size', size1);
  checkIndex('second tree size', size2);
  if (size1 === 0 || size1 > size2) {
    throw new LogError(C.RANGE, `consistency proof needs 0 < size1 ≤ size2, got ${size1} and ${size2}`);
  }
  const topDown: NodeId[][] = [];
  let lo = 0;
  let hi = size2;
  let m = size1;
  let whole = true; // RFC 9162 SUBPROOF's flag b: is the current subtree the one the old root covers?
  for (;;) {
    const n = hi - lo;
    if (m === n) {
      if (!whole) topDown.push(perfectSubtrees(lo, hi));
      break;
    }
    const k = split(n);
    if (m <= k) {
      topDown.push(perfectSubtrees(lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(perfectSubtrees(lo, lo + k));
      lo += k;
      m -= k;
      whole = false;
    }
  }
  return rangesPlan(topDown.reverse());
}

/** The root of the tree of `size` leaves as a node plan (EMPTY_ROOT for 0). */
export function treeRootPlan(size: number): NodePlan<Buffer> {
  checkIndex('tree size', size);
  const nodes = perfectSubtrees(0, size);
  return {
    nodes,
    assemble(hashes: readonly Uint8Array[]): Buffer {
      checkNodeHashes(nodes, hashes);
      return foldRange(hashes.map((h) => Buffer.from(h)));
    },
  };
}

function run<T>(plan: NodePlan<T>, getNode: GetNode): T {
  return plan.assemble(plan.nodes.map((n) => getNode(n.level, n.index)));
}

/** Inclusion proof for leaf `index` in the tree of `size`, read from stored node hashes. */
export function inclusionProofFor(index: number, size: number, getNode: GetNode): Buffer[] {
  return run(inclusionProofPlan(index, size), getNode);
}

/** Consistency proof from `size1` to `size2`, read from stored node hashes. */
export function consistencyProofFor(size1: number, size2: number, getNode: GetNode): Buffer[] {
  return run(consistencyProofPlan(size1, size2), getNode);
}

/** Root of the tree of `size` leaves, read from stored node hashes. */
export function treeRootFor(size: number, getNode: GetNode): Buffer {
  return run(treeRootPlan(size), getNode);
}

/** A node hash a store should persist. */
export interface StoredNode extends NodeId {
  readonly hash: Buffer;
}

/**
 * The nodes that appending `leafHash` at position `index` creates: the leaf itself and every
 * perfect subtree it completes. `getNode` is asked only for existing left siblings.
 */
export function nodesCompletedByAppend(index: number, leafHash: Uint8Array, getNode: GetNode): StoredNode[] {
  checkIndex('leaf index', index);
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) {
    throw new LogError(C.RANGE, `leaf hash must be ${HASH_SIZE} bytes`);
  }
  let hash: Buffer = Buffer.from(leafHash);
  const out: StoredNode[] = [{ level: 0, index, hash }];
  let level = 0;
  let i = index;
  // A node at level l+1 is complete when its right child (odd index) has just been completed.
  while (i % 2 === 1) {
    const left = getNode(level, i - 1);
    checkNodeHashes([{ level, index: i - 1 }], [left]);
    hash = nodeHash(left, hash);
    level++;
    i = (i - 1) / 2;
    out.push({ level, index: i, hash });
  }
  return out;
}
