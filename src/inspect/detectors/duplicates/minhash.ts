/**
 * MinHash estimation and LSH banding (Broder 1997; Leskovec, Rajaraman & Ullman, Mining of
 * Massive Datasets §3.4) over the signatures of `sketch.ts`, with flat typed-array buckets
 * instead of Map/array objects: one pass per band, no per-record allocation.
 */
import { fmix32 } from '../../text/index.js';

/**
 * Estimated Jaccard similarity: share of equal slots of two k-slot signatures stored at
 * x[xo..xo+k) and y[yo..yo+k).
 */
export function estimateJaccard(x: ArrayLike<number>, y: ArrayLike<number>, k = Math.min(x.length, y.length), xo = 0, yo = 0): number {
  if (k <= 0) return 0;
  let eq = 0;
  for (let i = 0; i < k; i++) if (x[xo + i] === y[yo + i]) eq++;
  return eq / k;
}

/**
 * One-permutation estimate of Jaccard similarity (Li, Owen & Zhang 2012) of two signatures laid
 * out as in sketch.ts: k bins at x[xo..xo+k) then k/16 words of fill map. Equal bins among the
 * bins filled before densification in either record, over the bins filled in either; bins empty
 * in both carry no information and are left out. More accurate than counting equal densified
 * slots: for texts of about k shingles or fewer it is close to the exact Jaccard.
 */
export function estimateSimilarity(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, k: number): number {
  let mat = 0;
  let emp = 0;
  for (let i = 0; i < k; i++) {
    const fx = ((x[xo + k + (i >>> 4)] as number) >>> (i & 15)) & 1;
    const fy = ((y[yo + k + (i >>> 4)] as number) >>> (i & 15)) & 1;
    if ((fx & fy) === 1) {
      if (x[xo + i] === y[yo + i]) mat++;
    } else if ((fx | fy) === 0) emp++;
  }
  return emp === k ? 0 : mat / (k - emp);
}

function popcount16(x: number): number {
  x -= (x >>> 1) & 0x5555;
  x = (x & 0x3333) + ((x >>> 2) & 0x3333);
  x = (x + (x >>> 4)) & 0x0f0f;
  return (x + (x >>> 8)) & 0x1f;
}

/**
 * Whether `estimateSimilarity` reaches `threshold`, deciding from the fill maps alone when bins
 * filled in only one record already rule it out (most candidates between unrelated short texts).
 */
export function similarAtLeast(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, k: number, threshold: number): boolean {
  const words = k >>> 4;
  let union = 0;
  let both = 0;
  for (let w = 0; w < words; w++) {
    const fx = x[xo + k + w] as number;
    const fy = y[yo + k + w] as number;
    union += popcount16(fx | fy);
    both += popcount16(fx & fy);
  }
  if (union === 0 || both < threshold * union) return false;
  let mat = 0;
  for (let w = 0; w < words; w++) {
    let bits = (x[xo + k + w] as number) & (y[yo + k + w] as number);
    const base = w << 4;
    while (bits !== 0) {
      const low = bits & -bits;
      const i = base + 31 - Math.clz32(low);
      if (x[xo + i] === y[yo + i]) mat++;
      bits ^= low;
    }
  }
  return mat >= threshold * union;
}

/** The fill-map bound of `similarAtLeast`: bins filled in both over bins filled in either. */
function mapsAtLeast(maps: Uint16Array, xo: number, yo: number, words: number, threshold: number): boolean {
  let union = 0;
  let both = 0;
  for (let w = 0; w < words; w++) {
    const fx = maps[xo + w] as number;
    const fy = maps[yo + w] as number;
    union += popcount16(fx | fy);
    both += popcount16(fx & fy);
  }
  return union > 0 && both >= threshold * union;
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

/**
 * LSH bands b and rows r (b·r ≤ k) for a target candidate probability at the threshold: the
 * largest r (fewest false candidates) with 1-(1-t^r)^b ≥ `recall`, b = ⌊k/r⌋. Candidates are
 * verified afterwards, so false candidates cost a compare while a missed one is lost for good.
 */
export function lshParamsForRecall(k: number, threshold: number, recall = 0.995): { bands: number; rows: number } {
  for (let r = k; r > 1; r--) {
    const bands = Math.floor(k / r);
    if (1 - Math.pow(1 - Math.pow(threshold, r), bands) >= recall) return { bands, rows: r };
  }
  return { bands: k, rows: 1 };
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

/** Where the signatures are: record features and the offset and length of their signature slots. */
export interface Signatures {
  readonly feats: ReadonlyArray<ArrayLike<number>>;
  readonly offset: number;
  readonly slots: number;
}

/**
 * Finds pairs among records `ids` (ascending, each with a signature) whose estimated Jaccard
 * reaches `threshold`, via LSH banding, and unions them in `uf`. Candidates are verified on the
 * full signature (cuts band collisions). `maxBucketCompare` bounds the work per bucket so
 * adversarial input cannot force n² compares. Buckets are open-addressed on a 64-bit band key
 * with an intrusive member list (most recent first).
 */
export function lshCluster(
  sigs: Signatures,
  ids: ArrayLike<number>,
  uf: UnionFind,
  threshold: number,
  bands: number,
  rows: number,
  maxBucketCompare = 32,
): void {
  const { feats, offset, slots } = sigs;
  const n = ids.length;
  if (n < 2) return;
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  // Buckets interleaved (key a, key b, head member, size): one cache line per lookup.
  const table = new Int32Array(cap * 4);
  const next = new Int32Array(n);
  const maxKeep = maxBucketCompare * 4;
  const mapOff = offset + slots;
  // Direct-mapped memo of pairs that failed verification (a lost entry only costs a compare).
  let memoSize = 1024;
  while (memoSize < n * 2 && memoSize < 1 << 18) memoSize *= 2;
  const memoMask = memoSize - 1;
  const failedA = new Int32Array(memoSize).fill(-1);
  const failedB = new Int32Array(memoSize);
  // Fill maps and fill counts of all records in two flat arrays: the cheap rejections below
  // then read a few cached bytes instead of another record's features.
  const words = slots >>> 4;
  const maps = new Uint16Array(n * words);
  const filledBins = new Uint16Array(n);
  for (let p = 0; p < n; p++) {
    const sig = feats[ids[p] as number] as ArrayLike<number>;
    let c = 0;
    for (let w = 0; w < words; w++) {
      const m = sig[mapOff + w] as number;
      maps[p * words + w] = m;
      c += popcount16(m);
    }
    filledBins[p] = c;
  }
  for (let band = 0; band < bands; band++) {
    for (let t = 2; t < table.length; t += 4) table[t] = -1;
    // Consecutive slots: densified copies of a filled bin sit next to each other, so the
    // bands of two short texts that share most shingles still agree where the copies agree.
    const off = offset + band * rows;
    for (let p = 0; p < n; p++) {
      const id = ids[p] as number;
      const sig = feats[id] as ArrayLike<number>;
      // A band without a filled bin is copies of one bin to its right: it says only that the
      // texts share that one shingle. Skipping it keeps the buckets of short texts with a
      // common phrase from filling up with candidates that fail verification.
      let filled = 0;
      for (let j = 0; j < rows; j++) {
        const b = band * rows + j;
        filled |= (maps[p * words + (b >>> 4)] as number) >>> (b & 15);
      }
      if ((filled & 1) === 0) continue;
      let h1 = 0x3c6ef372 ^ band;
      let h2 = (0x1b873593 + band) | 0;
      for (let j = 0; j < rows; j++) {
        const v = sig[off + j] as number;
        h1 = (Math.imul(h1 ^ v, 0x9e3779b1) + 0x7f4a7c15) | 0;
        h1 ^= h1 >>> 15;
        h2 = (Math.imul((h2 << 5) | (h2 >>> 27), 0x85ebca6b) ^ v) | 0;
      }
      h1 = fmix32(h1) | 0;
      h2 = fmix32(h2 ^ h1) | 0;
      let slot = (h1 & mask) << 2;
      let first = table[slot + 2] as number;
      while (first >= 0 && (table[slot] !== h1 || table[slot + 1] !== h2)) {
        slot = (slot + 4) & (mask << 2);
        first = table[slot + 2] as number;
      }
      if (first < 0) {
        table[slot] = h1;
        table[slot + 1] = h2;
        table[slot + 2] = p;
        table[slot + 3] = 1;
        next[p] = -1;
        continue;
      }
      let rootId = uf.find(id);
      let compared = 0;
      for (let q = first; q >= 0 && compared < maxBucketCompare; q = next[q] as number) {
        const other = ids[q] as number;
        if (uf.find(other) === rootId) continue;
        compared++;
        // Size filter: the estimate is at most min/max of the filled-bin counts.
        const cp = filledBins[p] as number;
        const cq = filledBins[q] as number;
        if ((cp < cq ? cp : cq) < threshold * (cp < cq ? cq : cp)) continue;
        if (!mapsAtLeast(maps, p * words, q * words, words, threshold)) continue;
        // Pairs of texts that share a few phrases collide in several bands: verify them once
        // (a remembered failure still counts as a compare).
        const memo = (Math.imul(id, 0x9e3779b1) ^ Math.imul(other, 0x85ebca77)) & memoMask;
        if (failedA[memo] === id && failedB[memo] === other) continue;
        if (similarAtLeast(sig, offset, feats[other] as ArrayLike<number>, offset, slots, threshold)) {
          // Keep going: the record may bridge two clusters that only it connects.
          uf.union(id, other);
          rootId = uf.find(id);
        } else {
          failedA[memo] = id;
          failedB[memo] = other;
        }
      }
      if ((table[slot + 3] as number) < maxKeep) {
        next[p] = first;
        table[slot + 2] = p;
        table[slot + 3] = (table[slot + 3] as number) + 1;
      }
    }
  }
}
