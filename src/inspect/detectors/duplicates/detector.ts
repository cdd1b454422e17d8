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
import type { DatasetDetector, Finding, RecordRef, RecordView } from '../../types.js';
import { estimateSimilarity, lshCluster, lshParamsForRecall, UnionFind } from './minhash.js';
import { createSketcher, EXACT_WORDS, NORM_WORDS } from './sketch.js';
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
}

/**
 * Per-record features, one compact typed array (see sketch.ts): 16-bit words
 * [0..4) exact hash, [4..8) normalised-text hash (absent without main text),
 * [8..8+permutations) MinHash signature (absent for short texts or with `near: false`).
 */
export type DuplicatesFeatures = Uint16Array;

/**
 * rep[i] = first record p (in `ids` order) with the same 64-bit key (lo[i], hi[i]) as record i,
 * for every i in `ids`. Open addressing on the low word, which is hash output.
 */
function firstWithKey(lo: Int32Array, hi: Int32Array, ids: ArrayLike<number>, count: number, rep: Int32Array): void {
  let cap = 16;
  while (cap < count * 2) cap *= 2;
  const mask = cap - 1;
  const slots = new Int32Array(cap).fill(-1);
  for (let p = 0; p < count; p++) {
    const i = ids[p] as number;
    const a = lo[i] as number;
    const b = hi[i] as number;
    let slot = a & mask;
    for (;;) {
      const j = slots[slot] as number;
      if (j < 0) {
        slots[slot] = i;
        rep[i] = i;
        break;
      }
      if (lo[j] === a && hi[j] === b) {
        rep[i] = j;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
}

/** Creates the `duplicates` dataset detector. */
export function createDuplicatesDetector(options: DuplicatesOptions = {}): DatasetDetector<DuplicatesFeatures> {
  const threshold = options.threshold ?? 0.8;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError('duplicates threshold must be in (0, 1]');
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

    reduce(items): Finding[] {
      const n = items.length;
      const uf = new UnionFind(n);
      // One pass over the features into flat arrays: the two hash layers then read a few
      // sequential words per record instead of chasing every record's typed array.
      const feats = new Array<DuplicatesFeatures>(n);
      const exLo = new Int32Array(n);
      const exHi = new Int32Array(n);
      const nmLo = new Int32Array(n);
      const nmHi = new Int32Array(n);
      const len = new Int32Array(n);
      const all = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const f = (items[i] as (typeof items)[number]).features;
        feats[i] = f;
        all[i] = i;
        const l = f.length;
        len[i] = l;
        exLo[i] = (f[0] as number) | ((f[1] as number) << 16);
        exHi[i] = (f[2] as number) | ((f[3] as number) << 16);
        if (l > EXACT_WORDS) {
          nmLo[i] = (f[4] as number) | ((f[5] as number) << 16);
          nmHi[i] = (f[6] as number) | ((f[7] as number) << 16);
        }
      }
      // Layer 1: exact. exactRep[i] = first record with the same canonical hash.
      const exactRep = new Int32Array(n);
      firstWithKey(exLo, exHi, all, n, exactRep);
      // Layer 2: normalised, among exact representatives that have main text.
      const withText = new Int32Array(n);
      let texts = 0;
      for (let i = 0; i < n; i++) {
        const r = exactRep[i] as number;
        if (r !== i) uf.union(r, i);
        else if ((len[i] as number) > EXACT_WORDS) withText[texts++] = i;
      }
      const normFirst = new Int32Array(n);
      firstWithKey(nmLo, nmHi, withText, texts, normFirst);
      const normRep = new Int32Array(n).fill(-1);
      const reps = new Int32Array(texts);
      let nreps = 0;
      for (let p = 0; p < texts; p++) {
        const i = withText[p] as number;
        const r = normFirst[i] as number;
        if (r !== i) {
          normRep[i] = r;
          uf.union(r, i);
        } else if ((len[i] as number) > NORM_WORDS) reps[nreps++] = i;
      }
      // Layer 3: near, among normalised representatives with a signature.
      if (near) lshCluster({ feats, offset: NORM_WORDS, slots }, reps.subarray(0, nreps), uf, accept, bands, rows);
      return report(items, feats, uf, exactRep, normRep, maxMembers, slots);
    },
  };
}

function report(
  items: ReadonlyArray<{ readonly ref: RecordRef }>,
  feats: readonly DuplicatesFeatures[],
  uf: UnionFind,
  exactRep: Int32Array,
  normRep: Int32Array,
  maxMembers: number,
  slots: number,
): Finding[] {
  const n = items.length;
  // Roots are the smallest ordinal of their set, so root[i] <= i and a cluster starts at its
  // root. Members of clusters of two or more are grouped by counting sort (ascending ordinals).
  const root = new Int32Array(n);
  const size = new Int32Array(n);
  let grouped = 0;
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    root[i] = r;
    size[r] = (size[r] as number) + 1;
  }
  const start = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = size[i] as number;
    if (s >= 2) {
      start[i] = grouped;
      grouped += s;
    }
  }
  if (grouped === 0) return [];
  const members = new Int32Array(grouped);
  const fill = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = root[i] as number;
    if ((size[r] as number) < 2) continue;
    members[(start[r] as number) + (fill[r] as number)] = i;
    fill[r] = (fill[r] as number) + 1;
  }
  const findings: Finding[] = [];
  let clusterNo = 0;
  const refOf = (i: number): { file: string; index: number } => {
    const r = (items[i] as (typeof items)[number]).ref;
    return { file: r.file, index: r.index };
  };
  // Clusters in the order of their first member.
  for (let rootId = 0; rootId < n; rootId++) {
    const count = size[rootId] as number;
    if (count < 2) continue;
    clusterNo++;
    const from = start[rootId] as number;
    const list: { file: string; index: number }[] = [];
    for (let k = 0; k < count && k < maxMembers; k++) list.push(refOf(members[from + k] as number));
    const first = refOf(rootId);
    const truncated = count > maxMembers;
    for (let k = 1; k < count; k++) {
      const m = members[from + k] as number;
      const ref = (items[m] as (typeof items)[number]).ref;
      let rule: string;
      let of: number;
      let similarity: number;
      if (exactRep[m] !== m) {
        rule = 'exact-duplicate';
        of = exactRep[m] as number;
        similarity = 1;
      } else if ((normRep[m] as number) >= 0) {
        rule = 'normalised-duplicate';
        of = normRep[m] as number;
        similarity = 1;
      } else {
        rule = 'near-duplicate';
        of = rootId;
        const a = feats[m] as DuplicatesFeatures;
        const b = feats[rootId] as DuplicatesFeatures;
        similarity = a.length > NORM_WORDS && b.length > NORM_WORDS ? estimateSimilarity(a, NORM_WORDS, b, NORM_WORDS, slots) : 0;
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
      findings.push({
        detector: 'duplicates',
        rule,
        severity: rule === 'exact-duplicate' ? 'medium' : 'low',
        confidence: rule === 'near-duplicate' ? Math.max(0.5, Math.min(1, similarity)) : 1,
        location,
        message: `Record is ${what} of ${ofRef.file} record ${ofRef.index} (cluster ${clusterNo}, ${count} records).`,
        data,
      });
    }
  }
  return findings;
}
