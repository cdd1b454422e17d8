/**
 * duplicates: exact, normalised and near-duplicate records (DESIGN §5).
 *
 * Three layers, each run on the representatives left by the previous one:
 *  1. exact — same RFC 8785 canonical record (a 64-bit hash of the canonical form, computed by
 *     walking the value, travels as the feature);
 *  2. normalised — same main text after NFKC, lowercasing and dropping punctuation/whitespace
 *     differences (64-bit hash of the folded token sequence);
 *  3. near — one-permutation MinHash over word 3-gram shingles (128 bins by default, rotation
 *     densification, see sketch.ts) with LSH banding chosen for P(candidate | J = threshold) ≥
 *     0.995 (0.8 by default); every candidate pair is verified on the signatures with the
 *     one-permutation estimator before it joins a cluster.
 * Word 3-grams rather than 5-grams: editing one word in a 100-word text changes at most 3
 * shingles instead of 5, so "a few edited words" stays above a 0.8 threshold, and word shingles
 * are far fewer (cheaper) than character shingles. Each shingle is hashed once, from the integer
 * token hashes (no shingle strings); features are one Uint16Array of 288 bytes at most.
 *
 * Reporting: one finding per non-first member of a cluster, located at that member, so a policy
 * can quarantine the copies and keep the original. Each finding carries the cluster id, its size,
 * the first member it duplicates and the member list (capped, see `maxMembers`).
 */
import type { DatasetDetector, FeatureList, Finding, RecordView } from '../../types.js';
import { lshParamsForRecall, UnionFind } from './minhash.js';
import { hashLayers, nearLayer, type Layers, type NearResult } from './reduce.js';
import { createSketcher } from './sketch.js';
import { mainFields } from './text.js';

export interface DuplicatesOptions {
  /** Jaccard similarity at or above which two records are near-duplicates (default 0.8). */
  readonly threshold?: number;
  /** MinHash signature slots (one-permutation bins), a power of two in 8..1024 (default 128). */
  readonly permutations?: number;
  /** Word n-gram size of shingles (default 3). */
  readonly shingle?: number;
  /** Texts with fewer word tokens are only checked for exact/normalised duplicates (default 8). */
  readonly minTokens?: number;
  /** Members listed per finding (default 50); `size` always gives the full count. */
  readonly maxMembers?: number;
  /** Set false to skip near-duplicate detection (exact and normalised only). */
  readonly near?: boolean;
  /**
   * Candidates are accepted at estimated Jaccard ≥ threshold − slack (default 0.03, about one
   * standard deviation of a 128-slot estimate at 0.8), so pairs truly at the threshold are not
   * lost to estimation noise.
   */
  readonly slack?: number;
  /**
   * Bytes the near-duplicate reduce may hold in state that grows with the LSH candidates
   * (default 128 MiB); past it, passes over the features get narrower and bucket events and
   * signatures wait in scratch files under TMPDIR. Results do not depend on it.
   */
  readonly reduceBudget?: number;
}

/**
 * Per-record features, one compact typed array (see sketch.ts): 16-bit words
 * [0..4) exact hash, [4..8) normalised-text hash (absent without main text),
 * [8..8+permutations) MinHash signature (absent for short texts or with `near: false`).
 */
export type DuplicatesFeatures = Uint16Array;

/** Creates the `duplicates` dataset detector. */
export function createDuplicatesDetector(options: DuplicatesOptions = {}): DatasetDetector<DuplicatesFeatures> {
  const threshold = options.threshold ?? 0.8;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError('duplicates threshold must be in (0, 1]');
  if (options.reduceBudget !== undefined && !(Number.isFinite(options.reduceBudget) && options.reduceBudget > 0)) throw new RangeError('duplicates reduceBudget must be a positive number of bytes');
  const minTokens = options.minTokens ?? 8;
  const maxMembers = options.maxMembers ?? 50;
  const near = options.near ?? true;
  const sketcher = createSketcher({ bins: options.permutations ?? 128, shingle: options.shingle ?? 3, minTokens, near });
  const slots = sketcher.bins;
  // Candidates are verified on the full signature, so false candidates of the banding cost only
  // a compare: choose bands for P(candidate | J = threshold) ≥ 0.995 (21 bands × 6 rows at
  // k=128, t=0.8).
  const { bands, rows } = lshParamsForRecall(slots, threshold);
  const accept = threshold - (options.slack ?? 0.03);

  return {
    id: 'duplicates',
    kind: 'dataset',
    features(view: RecordView): DuplicatesFeatures {
      return sketcher.features(view.value, mainFields(view.fields));
    },

    reduce(items): Iterable<Finding> {
      // Sequential passes over the spilled features (reduce.ts): the hash layers, then the LSH
      // candidates and their features; findings read records' refs only for duplicates.
      const layers = hashLayers(items, options.reduceBudget);
      const nearRes = near ? nearLayer(items, layers, { slots, bands, rows, threshold: accept }, options.reduceBudget) : undefined;
      return report(items, layers, nearRes, maxMembers);
    },
  };
}

/** Ascending distinct values of `parts`. */
function distinct(parts: readonly Int32Array[]): Int32Array {
  let total = 0;
  for (const x of parts) total += x.length;
  const all = new Int32Array(total);
  let at = 0;
  for (const x of parts) {
    all.set(x, at);
    at += x.length;
  }
  all.sort();
  let m = 0;
  for (let k = 0; k < total; k++) if (k === 0 || all[k] !== all[k - 1]) all[m++] = all[k] as number;
  return all.subarray(0, m);
}

/** Index of `v` in ascending `xs` (present by construction). */
function indexOf(xs: Int32Array, v: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** k with xs[k] === v in ascending `xs`, or -1. */
function findSorted(xs: Int32Array, v: number): number {
  if (xs.length === 0) return -1;
  const k = indexOf(xs, v);
  return xs[k] === v ? k : -1;
}

/** The findings, yielded one at a time (the engine counts and caps them as they come). */
function* report(
  items: FeatureList<DuplicatesFeatures>,
  layers: Layers,
  nearRes: NearResult | undefined,
  maxMembers: number,
): Generator<Finding> {
  try {
    yield* clusters(items, layers, nearRes, maxMembers);
  } finally {
    nearRes?.close();
  }
}

function* clusters(items: FeatureList<DuplicatesFeatures>, layers: Layers, nearRes: NearResult | undefined, maxMembers: number): Generator<Finding> {
  const nearA = nearRes?.nearA ?? new Int32Array(0);
  const nearB = nearRes?.nearB ?? new Int32Array(0);
  // Records in a cluster of two or more are exactly those in some union pair: number them
  // (ascending ordinals) and union the pairs over that small set. Roots are the smallest member.
  const nodes = distinct([layers.exDup, layers.exOf, layers.nmDup, layers.nmOf, nearA, nearB]);
  if (nodes.length === 0) return;
  const uf = new UnionFind(nodes.length);
  const join = (as: Int32Array, bs: Int32Array): void => {
    for (let k = 0; k < as.length; k++) uf.union(indexOf(nodes, as[k] as number), indexOf(nodes, bs[k] as number));
  };
  join(layers.exOf, layers.exDup);
  join(layers.nmOf, layers.nmDup);
  join(nearA, nearB);
  // The record a duplicate copies: exDup and nmDup are ascending, looked up by binary search.
  const exactOf = (i: number): number | undefined => {
    const k = findSorted(layers.exDup, i);
    return k < 0 ? undefined : (layers.exOf[k] as number);
  };
  const normOf = (i: number): number | undefined => {
    const k = findSorted(layers.nmDup, i);
    return k < 0 ? undefined : (layers.nmOf[k] as number);
  };
  // Members grouped by root by counting sort: ascending ordinals within a cluster.
  const m = nodes.length;
  const root = new Int32Array(m);
  const size = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const r = uf.find(k);
    root[k] = r;
    size[r] = (size[r] as number) + 1;
  }
  const start = new Int32Array(m);
  let grouped = 0;
  for (let k = 0; k < m; k++) {
    if ((size[k] as number) >= 2) {
      start[k] = grouped;
      grouped += size[k] as number;
    }
  }
  const members = new Int32Array(grouped);
  const fill = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const r = root[k] as number;
    members[(start[r] as number) + (fill[r] as number)] = nodes[k] as number;
    fill[r] = (fill[r] as number) + 1;
  }
  let clusterNo = 0;
  const refOf = (i: number): { file: string; index: number } => {
    const r = items.ref(i);
    return { file: r.file, index: r.index };
  };
  // Clusters in the order of their first member.
  for (let k = 0; k < m; k++) {
    const count = size[k] as number;
    if (count < 2) continue;
    const rootId = nodes[k] as number;
    clusterNo++;
    const from = start[k] as number;
    const list: { file: string; index: number }[] = [];
    for (let j = 0; j < count && j < maxMembers; j++) list.push(refOf(members[from + j] as number));
    const first = refOf(rootId);
    const truncated = count > maxMembers;
    for (let j = 1; j < count; j++) {
      const mem = members[from + j] as number;
      const ref = items.ref(mem);
      let rule: string;
      let of: number;
      let similarity: number;
      const ex = exactOf(mem);
      const nm = normOf(mem);
      if (ex !== undefined) {
        rule = 'exact-duplicate';
        of = ex;
        similarity = 1;
      } else if (nm !== undefined) {
        rule = 'normalised-duplicate';
        of = nm;
        similarity = 1;
      } else {
        rule = 'near-duplicate';
        of = rootId;
        similarity = nearRes?.similarity(mem, rootId) ?? 0;
      }
      const ofRef = refOf(of);
      const what =
        rule === 'exact-duplicate' ? 'an exact duplicate' : rule === 'normalised-duplicate' ? 'a normalised duplicate' : 'a near-duplicate';
      // Optional members assigned in place (same key order as literals, no spread objects).
      const location: { file: string; index: number; line?: number; row?: number } = { file: ref.file, index: ref.index };
      if (ref.line !== undefined) location.line = ref.line;
      if (ref.row !== undefined) location.row = ref.row;
      const data: Record<string, unknown> = {
        cluster: clusterNo,
        size: count,
        duplicateOf: ofRef,
        first,
        similarity: Math.round(similarity * 1000) / 1000,
        members: list,
      };
      if (truncated) data.membersTruncated = true;
      yield {
        detector: 'duplicates',
        rule,
        severity: rule === 'exact-duplicate' ? 'medium' : 'low',
        confidence: rule === 'near-duplicate' ? Math.max(0.5, Math.min(1, similarity)) : 1,
        location,
        message: `Record is ${what} of ${ofRef.file} record ${ofRef.index} (cluster ${clusterNo}, ${count} records).`,
        data,
      };
    }
  }
}
