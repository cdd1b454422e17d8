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

/** Index of records with equal 64-bit keys at words [off..off+4): rep[i] = first such record. */
function firstWithKey(items: ReadonlyArray<{ readonly features: DuplicatesFeatures }>, ids: ArrayLike<number>, off: number, rep: Int32Array): void {
  const n = ids.length;
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const slots = new Int32Array(cap).fill(-1);
  for (let p = 0; p < n; p++) {
    const i = ids[p] as number;
    const f = (items[i] as { readonly features: DuplicatesFeatures }).features;
    // The words are hash output: the low ones index the table directly.
    let slot = ((f[off] as number) | ((f[off + 1] as number) << 16)) & mask;
    for (;;) {
      const j = slots[slot] as number;
      if (j < 0) {
        slots[slot] = i;
        rep[i] = i;
        break;
      }
      const g = (items[j] as { readonly features: DuplicatesFeatures }).features;
      if (g[off] === f[off] && g[off + 1] === f[off + 1] && g[off + 2] === f[off + 2] && g[off + 3] === f[off + 3]) {
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
      // Layer 1: exact. exactRep[i] = first record with the same canonical hash.
      const all = new Int32Array(n);
      for (let i = 0; i < n; i++) all[i] = i;
      const exactRep = new Int32Array(n);
      firstWithKey(items, all, 0, exactRep);
      // Layer 2: normalised, among exact representatives that have main text.
      const withText: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = exactRep[i] as number;
        if (r !== i) uf.union(r, i);
        else if ((items[i] as (typeof items)[number]).features.length > EXACT_WORDS) withText.push(i);
      }
      const normFirst = new Int32Array(n);
      firstWithKey(items, withText, EXACT_WORDS, normFirst);
      const normRep = new Int32Array(n).fill(-1);
      const reps: number[] = [];
      for (const i of withText) {
        const r = normFirst[i] as number;
        if (r !== i) {
          normRep[i] = r;
          uf.union(r, i);
        } else if ((items[i] as (typeof items)[number]).features.length > NORM_WORDS) reps.push(i);
      }
      // Layer 3: near, among normalised representatives with a signature.
      if (near) {
        const feats = items.map((it) => it.features);
        lshCluster({ feats, offset: NORM_WORDS, slots }, reps, uf, accept, bands, rows);
      }
      return report(items, uf, exactRep, normRep, maxMembers, slots);
    },
  };
}

function report(
  items: ReadonlyArray<{ readonly ref: RecordRef; readonly features: DuplicatesFeatures }>,
  uf: UnionFind,
  exactRep: Int32Array,
  normRep: Int32Array,
  maxMembers: number,
  slots: number,
): Finding[] {
  const n = items.length;
  const clusters = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    // Roots are the smallest ordinal of their set, so a cluster is created at its first member.
    const r = uf.find(i);
    const c = clusters.get(r);
    if (c) c.push(i);
    else clusters.set(r, [i]);
  }
  const findings: Finding[] = [];
  let clusterNo = 0;
  const refOf = (i: number): { file: string; index: number } => {
    const r = (items[i] as (typeof items)[number]).ref;
    return { file: r.file, index: r.index };
  };
  // Map iteration follows insertion order, which is the order of each cluster's first member.
  for (const [root, members] of clusters) {
    if (members.length < 2) continue;
    clusterNo++;
    const list = members.slice(0, maxMembers).map(refOf);
    const first = refOf(root);
    for (const m of members) {
      if (m === root) continue;
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
        of = root;
        const a = (items[m] as (typeof items)[number]).features;
        const b = (items[root] as (typeof items)[number]).features;
        similarity = a.length > NORM_WORDS && b.length > NORM_WORDS ? estimateSimilarity(a, NORM_WORDS, b, NORM_WORDS, slots) : 0;
      }
      const ofRef = refOf(of);
      const what =
        rule === 'exact-duplicate' ? 'an exact duplicate' : rule === 'normalised-duplicate' ? 'a normalised duplicate' : 'a near-duplicate';
      findings.push({
        detector: 'duplicates',
        rule,
        severity: rule === 'exact-duplicate' ? 'medium' : 'low',
        confidence: rule === 'near-duplicate' ? Math.max(0.5, Math.min(1, similarity)) : 1,
        location: {
          file: ref.file,
          index: ref.index,
          ...(ref.line !== undefined ? { line: ref.line } : {}),
          ...(ref.row !== undefined ? { row: ref.row } : {}),
        },
        message: `Record is ${what} of ${ofRef.file} record ${ofRef.index} (cluster ${clusterNo}, ${members.length} records).`,
        data: {
          cluster: clusterNo,
          size: members.length,
          duplicateOf: ofRef,
          first,
          similarity: Math.round(similarity * 1000) / 1000,
          members: list,
          ...(members.length > maxMembers ? { membersTruncated: true } : {}),
        },
      });
    }
  }
  return findings;
}
