/**
 * MinHash signatures and LSH banding (Broder 1997; Leskovec, Rajaraman & Ullman, Mining of
 * Massive Datasets §3.4). Shingles are word n-grams hashed to 32 bits; each of the k
 * "permutations" is a universal hash x -> a·x + b (mod 2^32, a odd) computed with Math.imul,
 * which is a bijection on 32-bit values and cheap enough to run k times per shingle.
 */
import { combineHash, fmix32, splitmix32, type Tokens } from './text.js';

/** Parameters of a MinHash family: k multipliers and offsets from a fixed seed (reproducible). */
export interface MinHasher {
  readonly permutations: number;
  readonly shingle: number;
  /** Signature of a token stream's word shingles (a fixed all-equal signature when empty). */
  signature(tokens: Tokens): Uint32Array;
}

/** Builds a MinHash family with `permutations` hash functions over word `shingle`-grams. */
export function createMinHasher(permutations = 128, shingle = 3, seed = 0x5eed): MinHasher {
  if (!Number.isInteger(permutations) || permutations < 1 || permutations > 1024) {
    throw new RangeError('permutations must be an integer in 1..1024');
  }
  if (!Number.isInteger(shingle) || shingle < 1 || shingle > 16) throw new RangeError('shingle must be 1..16');
  const rnd = splitmix32(seed);
  // Int32 arithmetic keeps V8 on its small-integer fast path; the minimum is taken in signed
  // order, which is just another fixed total order and so an equally valid MinHash.
  const a = new Int32Array(permutations);
  const b = new Int32Array(permutations);
  for (let i = 0; i < permutations; i++) {
    a[i] = rnd() | 1;
    b[i] = rnd() | 0;
  }
  return {
    permutations,
    shingle,
    signature(tokens: Tokens): Uint32Array {
      const sig = new Int32Array(permutations).fill(0x7fffffff);
      const n = tokens.count;
      if (n === 0) return new Uint32Array(sig.buffer);
      // Texts shorter than one shingle are a single shingle of all their tokens.
      const w = Math.min(shingle, n);
      const h = tokens.h1;
      const m = n - w + 1;
      const xs = new Int32Array(m);
      for (let i = 0; i < m; i++) {
        let x = h[i] as number;
        for (let j = 1; j < w; j++) x = combineHash(x, h[i + j] as number);
        xs[i] = fmix32(x ^ w) | 0;
      }
      // Permutation-major loop: a, b and the running minimum stay in registers.
      for (let p = 0; p < permutations; p++) {
        const ap = a[p] as number;
        const bp = b[p] as number;
        let min = 0x7fffffff;
        for (let i = 0; i < m; i++) {
          const v = (Math.imul(ap, xs[i] as number) + bp) | 0;
          if (v < min) min = v;
        }
        sig[p] = min;
      }
      return new Uint32Array(sig.buffer);
    },
  };
}

/** Estimated Jaccard similarity: share of equal signature slots. */
export function estimateJaccard(x: Uint32Array, y: Uint32Array): number {
  const n = Math.min(x.length, y.length);
  if (n === 0) return 0;
  let eq = 0;
  for (let i = 0; i < n; i++) if (x[i] === y[i]) eq++;
  return eq / n;
}

/**
 * Chooses LSH bands b and rows r (b·r ≤ k) minimising the weighted area of false positives
 * below the threshold and false negatives above it, for the S-curve 1-(1-s^r)^b.
 */
export function lshParams(k: number, threshold: number, fnWeight = 0.5): { bands: number; rows: number } {
  let best = { bands: 1, rows: k, err: Infinity };
  const steps = 200;
  for (let r = 1; r <= k; r++) {
    const bands = Math.floor(k / r);
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < steps; i++) {
      const s = (i + 0.5) / steps;
      const p = 1 - Math.pow(1 - Math.pow(s, r), bands);
      if (s < threshold) fp += p / steps;
      else fn += (1 - p) / steps;
    }
    const err = (1 - fnWeight) * fp + fnWeight * fn;
    if (err < best.err) best = { bands, rows: r, err };
  }
  return { bands: best.bands, rows: best.rows };
}

/** Union-find over record ordinals with path halving; the root is always the smallest ordinal. */
export class UnionFind {
  private readonly parent: Uint32Array;
  constructor(n: number) {
    this.parent = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      const gp = p[p[x] as number] as number;
      p[x] = gp;
      x = gp;
    }
    return x;
  }
  union(x: number, y: number): void {
    const rx = this.find(x);
    const ry = this.find(y);
    if (rx === ry) return;
    // Keep the earliest record as root so clusters are named by their first member.
    if (rx < ry) this.parent[ry] = rx;
    else this.parent[rx] = ry;
  }
}

/**
 * Finds pairs of signatures whose estimated Jaccard reaches `threshold`, via LSH banding, and
 * unions them in `uf`. Candidates are verified on the full signature (cuts band collisions).
 * `maxBucketCompare` bounds the work per bucket so adversarial input cannot force n² compares.
 */
export function lshCluster(
  sigs: ReadonlyArray<Uint32Array | undefined>,
  ids: readonly number[],
  uf: UnionFind,
  threshold: number,
  bands: number,
  rows: number,
  maxBucketCompare = 64,
): void {
  for (let band = 0; band < bands; band++) {
    const buckets = new Map<number, number[]>();
    const off = band * rows;
    for (const id of ids) {
      const sig = sigs[id];
      if (!sig) continue;
      let h1 = 0x3c6ef372 ^ band;
      let h2 = 0x1b873593 + band;
      for (let j = 0; j < rows; j++) {
        const v = sig[off + j] as number;
        h1 = combineHash(h1, v);
        h2 = fmix32(Math.imul(h2 ^ v, 0xcc9e2d51) + 0xe6546b64);
      }
      const key = (h1 >>> 0) * 0x200000 + (h2 >>> 11);
      const members = buckets.get(key);
      if (!members) {
        buckets.set(key, [id]);
        continue;
      }
      let rootId = uf.find(id);
      let compared = 0;
      for (let m = members.length - 1; m >= 0 && compared < maxBucketCompare; m--) {
        const other = members[m] as number;
        if (uf.find(other) === rootId) continue;
        compared++;
        if (estimateJaccard(sig, sigs[other] as Uint32Array) >= threshold) {
          // Keep going: the record may bridge two clusters that only it connects.
          uf.union(id, other);
          rootId = uf.find(id);
        }
      }
      if (members.length < maxBucketCompare * 4) members.push(id);
    }
  }
}
