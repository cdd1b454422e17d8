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
  const need = threshold * union;
  if (union === 0 || both < need) return false;
  // Matches can reach at most `both` minus the mismatches so far: stop once that is short.
  let mat = 0;
  let left = both;
  for (let w = 0; w < words; w++) {
    let bits = (x[xo + k + w] as number) & (y[yo + k + w] as number);
    const base = w << 4;
    while (bits !== 0) {
      const low = bits & -bits;
      const i = base + 31 - Math.clz32(low);
      if (x[xo + i] === y[yo + i]) mat++;
      else if (--left < need) return false;
      bits ^= low;
    }
  }
  return mat >= need;
}

/**
 * Packs the lowest bit of each of the k bins of a signature at sig[off..off+k) into 32-bit words
 * out[o..o + ceil(k/32)) (bit i & 31 of word i >>> 5), for `mayBeSimilar`.
 */
export function lowBits(sig: ArrayLike<number>, off: number, k: number, out: Int32Array, o: number): void {
  for (let w = 0; w < (k + 31) >>> 5; w++) out[o + w] = 0;
  for (let i = 0; i < k; i++) if (((sig[off + i] as number) & 1) !== 0) out[o + (i >>> 5)] = (out[o + (i >>> 5)] as number) | (1 << (i & 31));
}

/**
 * An upper bound of `similarAtLeast` from `lowBits` and the fill maps as 32-bit words
 * (fill[fx..fx+words), fill[fy..fy+words); bit i of the map ↔ bin i): a differing low bit is a
 * differing bin, so when the bins filled in both, less those whose bits differ, fall short of
 * threshold × the bins filled in either, the pair is not similar. False only where
 * `similarAtLeast` is false too; a quarter of the signature's bytes settle most dissimilar pairs.
 */
export function mayBeSimilar(fill: ArrayLike<number>, fx: number, fy: number, bits: ArrayLike<number>, bx: number, by: number, words: number, threshold: number): boolean {
  let union = 0;
  let both = 0;
  let differ = 0;
  for (let w = 0; w < words; w++) {
    const a = fill[fx + w] as number;
    const b = fill[fy + w] as number;
    union += popcount32(a | b);
    both += popcount32(a & b);
    differ += popcount32(((bits[bx + w] as number) ^ (bits[by + w] as number)) & a & b);
  }
  return union !== 0 && both - differ >= threshold * union;
}

/** Set bits of a 32-bit word. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
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

/** The second 32 bits of the last `bandKey` (module state, so the hot loop allocates nothing). */
export let bandKeyHigh = 0;

/**
 * 64-bit bucket key of one band: the `rows` slots at sig[off..off+rows) of band `band`. Returns
 * the first 32 bits (signed) and leaves the second in `bandKeyHigh`. Shared by `lshCluster` and
 * the detector's candidate pass, which must agree on buckets exactly.
 */
export function bandKey(sig: ArrayLike<number>, off: number, band: number, rows: number): number {
  let h1 = 0x3c6ef372 ^ band;
  let h2 = (0x1b873593 + band) | 0;
  for (let j = 0; j < rows; j++) {
    const v = sig[off + j] as number;
    h1 = (Math.imul(h1 ^ v, 0x9e3779b1) + 0x7f4a7c15) | 0;
    h1 ^= h1 >>> 15;
    h2 = (Math.imul((h2 << 5) | (h2 >>> 27), 0x85ebca6b) ^ v) | 0;
  }
  h1 = fmix32(h1) | 0;
  bandKeyHigh = fmix32(h2 ^ h1) | 0;
  return h1;
}

/**
 * Whether band `band` (bins b0..b0+rows) has a bin filled before densification, from the fill
 * map at sig[mapOff..): bands without one are not bucketed (see `lshCluster`).
 */
export function bandFilled(sig: ArrayLike<number>, mapOff: number, b0: number, rows: number): boolean {
  for (let j = 0; j < rows; j++) {
    const b = b0 + j;
    if ((((sig[mapOff + (b >>> 4)] as number) >>> (b & 15)) & 1) !== 0) return true;
  }
  return false;
}

/** Where the signatures are: record features and the offset and length of their signature slots. */
export interface Signatures {
  readonly feats: ReadonlyArray<ArrayLike<number>>;
  readonly offset: number;
  readonly slots: number;
}

/** Record-table row: band key (2 lanes), next older member of its bucket, filled bins, fill map. */
const R_KEY_A = 0;
const R_KEY_B = 1;
const R_NEXT = 2;
const R_FILLED = 3;
const R_MAP = 4;

/**
 * Finds pairs among records `ids` (ascending, each with a signature) whose estimated Jaccard
 * reaches `threshold`, via LSH banding, and unions them in `uf`. Candidates are verified on the
 * full signature (cuts band collisions). `maxBucketCompare` bounds the work per bucket so
 * adversarial input cannot force n² compares. Buckets are open-addressed on a 64-bit band key
 * with an intrusive member list (most recent first).
 *
 * Memory: the work is dominated by cache misses, and fresh memory is costly too (every new page
 * faults once), so the working set is small flat arrays reused by every band. A record's row
 * holds all a bucket walk reads of it (this band's key, the bucket link, the fill count and the
 * fill map, side by side); the bucket table holds only each bucket's newest member, whose row
 * has the key; the records' features are read again only to verify a candidate that passed the
 * fill-map bound. Union-find runs over positions in `ids` (a flat array of the same order) and
 * its unions are copied to `uf` at the end.
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
  const heads = new Int32Array(cap);
  const mapWords = (slots + 31) >>> 5;
  const stride = R_MAP + mapWords;
  const rec = new Int32Array(n * stride);
  // Bucket size, valid at the bucket's newest member.
  const bucketSize = new Int32Array(n);
  const maxKeep = maxBucketCompare * 4;
  // Direct-mapped memo of pairs that failed verification (a lost entry only costs a compare).
  let memoSize = 1024;
  while (memoSize < n && memoSize < 1 << 16) memoSize *= 2;
  const memoMask = memoSize - 1;
  const failedA = new Int32Array(memoSize).fill(-1);
  const failedB = new Int32Array(memoSize);
  // Union-find over positions, starting from the partition `uf` already has among `ids`.
  const parent = new Int32Array(n);
  let allRoots = true;
  for (let p = 0; p < n; p++) {
    parent[p] = p;
    const id = ids[p] as number;
    if (uf.find(id) !== id) allRoots = false;
  }
  if (!allRoots) {
    // Some records already share a set (not so in the detector's reduce): start from it.
    const firstOfRoot = new Map<number, number>();
    for (let p = 0; p < n; p++) {
      const r = uf.find(ids[p] as number);
      const f = firstOfRoot.get(r);
      if (f === undefined) firstOfRoot.set(r, p);
      else parent[p] = f;
    }
  }
  const find = (x: number): number => findRoot(parent, x);
  const mapOff = offset + slots;
  for (let p = 0; p < n; p++) {
    const sig = feats[ids[p] as number] as ArrayLike<number>;
    const row = p * stride;
    let c = 0;
    for (let w = 0; w < slots >>> 4; w++) {
      const m = sig[mapOff + w] as number;
      const at = row + R_MAP + (w >>> 1);
      rec[at] = (rec[at] as number) | (m << ((w & 1) << 4));
      c += popcount32(m);
    }
    rec[row + R_FILLED] = c;
  }
  for (let band = 0; band < bands; band++) {
    heads.fill(-1);
    const b0 = band * rows;
    const off = offset + b0;
    for (let p = 0; p < n; p++) {
      // A band without a filled bin is copies of one bin to its right: it says only that the
      // texts share that one shingle. Skipping it keeps the buckets of short texts with a
      // common phrase from filling up with candidates that fail verification.
      const row = p * stride;
      let filled = 0;
      for (let j = 0; j < rows; j++) {
        const b = b0 + j;
        filled |= (rec[row + R_MAP + (b >>> 5)] as number) >>> (b & 31);
      }
      if ((filled & 1) === 0) continue;
      // Consecutive slots: densified copies of a filled bin sit next to each other, so the
      // bands of two short texts that share most shingles still agree where the copies agree.
      const sig = feats[ids[p] as number] as ArrayLike<number>;
      const h1 = bandKey(sig, off, band, rows);
      const h2 = bandKeyHigh;
      rec[row + R_KEY_A] = h1;
      rec[row + R_KEY_B] = h2;
      let slot = h1 & mask;
      let first = heads[slot] as number;
      while (first >= 0 && (rec[first * stride + R_KEY_A] !== h1 || rec[first * stride + R_KEY_B] !== h2)) {
        slot = (slot + 1) & mask;
        first = heads[slot] as number;
      }
      if (first < 0) {
        heads[slot] = p;
        rec[row + R_NEXT] = -1;
        bucketSize[p] = 1;
        continue;
      }
      let root = find(p);
      let compared = 0;
      const cp = rec[row + R_FILLED] as number;
      for (let q = first; q >= 0 && compared < maxBucketCompare; ) {
        const qrow = q * stride;
        const other = q;
        q = rec[qrow + R_NEXT] as number;
        if (find(other) === root) continue;
        compared++;
        // Size filter: the estimate is at most min/max of the filled-bin counts.
        const cq = rec[qrow + R_FILLED] as number;
        if ((cp < cq ? cp : cq) < threshold * (cp < cq ? cq : cp)) continue;
        // Fill-map bound: bins filled in both over bins filled in either.
        let union = 0;
        let both = 0;
        for (let w = R_MAP; w < stride; w++) {
          const fx = rec[row + w] as number;
          const fy = rec[qrow + w] as number;
          union += popcount32(fx | fy);
          both += popcount32(fx & fy);
        }
        const need = threshold * union;
        if (union === 0 || both < need) continue;
        // Pairs of texts that share a few phrases collide in several bands: verify them once
        // (a remembered failure still counts as a compare).
        const memo = (Math.imul(p, 0x9e3779b1) ^ Math.imul(other, 0x85ebca77)) & memoMask;
        if (failedA[memo] === p && failedB[memo] === other) continue;
        // `similarAtLeast` with the fill maps read from the rows: only the bin values come
        // from the two records' features, and a pair stops once too many bins differ.
        const osig = feats[ids[other] as number] as ArrayLike<number>;
        let mat = 0;
        let left = both;
        for (let w = 0; w < mapWords && left >= need; w++) {
          let bits = (rec[row + R_MAP + w] as number) & (rec[qrow + R_MAP + w] as number);
          const base = offset + (w << 5);
          while (bits !== 0) {
            const low = bits & -bits;
            const at = base + 31 - Math.clz32(low);
            if (sig[at] === osig[at]) mat++;
            else if (--left < need) break;
            bits ^= low;
          }
        }
        if (mat >= need) {
          // Keep going: the record may bridge two clusters that only it connects. The root
          // is the smaller position, as in UnionFind.
          const ro = find(other);
          if (ro < root) parent[root] = ro;
          else parent[ro] = root;
          root = find(p);
        } else {
          failedA[memo] = p;
          failedB[memo] = other;
        }
      }
      const size = bucketSize[first] as number;
      if (size < maxKeep) {
        rec[row + R_NEXT] = first;
        bucketSize[p] = size + 1;
        heads[slot] = p;
      }
    }
  }
  for (let p = 0; p < n; p++) {
    const r = find(p);
    if (r !== p) uf.union(ids[r] as number, ids[p] as number);
  }
}

/** The root of x in a union-find parent array, halving the path on the way. */
export function findRoot(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    const gp = parent[parent[x] as number] as number;
    parent[x] = gp;
    x = gp;
  }
  return x;
}
