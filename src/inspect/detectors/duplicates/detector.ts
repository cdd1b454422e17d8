/**
 * duplicates: exact, normalised and near-duplicate records (DESIGN §5).
 *
 * Three layers, each run on the representatives left by the previous one:
 *  1. exact — same RFC 8785 canonical record (16 bytes of its SHA-256 travel as the feature);
 *  2. normalised — same main text after NFKC, lowercasing and dropping punctuation/whitespace
 *     differences (SHA-256 of that text, 16 bytes);
 *  3. near — MinHash over word 3-gram shingles (128 permutations by default) with LSH banding
 *     tuned to the Jaccard threshold (0.8 by default); every candidate pair is verified on the
 *     full signature before it joins a cluster. Bands/rows come from `lshParams` with false
 *     negatives weighted 0.95, since verification makes false candidates cheap.
 * Word 3-grams rather than 5-grams: editing one word in a 100-word text changes at most 3
 * shingles instead of 5, so "a few edited words" stays above a 0.8 threshold, and word shingles
 * are far fewer (cheaper) than character shingles.
 *
 * Reporting: one finding per non-first member of a cluster, located at that member, so a policy
 * can quarantine the copies and keep the original. Each finding carries the cluster id, its size,
 * the first member it duplicates and the member list (capped, see `maxMembers`).
 */
import { canonicalize, sha256 } from '../../../core/index.js';
import type { DatasetDetector, Finding, RecordRef, RecordView } from '../../types.js';
import { createMinHasher, estimateJaccard, lshCluster, lshParams, UnionFind } from './minhash.js';
import { combineHash, foldText, mainFields, tokenize, type Tokens } from './text.js';

export interface DuplicatesOptions {
  /** Jaccard similarity at or above which two records are near-duplicates (default 0.8). */
  readonly threshold?: number;
  /** MinHash permutations (default 128). */
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

/** Per-record features: two 16-byte digests and an optional MinHash signature. */
export interface DuplicatesFeatures {
  readonly exact: Uint8Array;
  readonly norm?: Uint8Array;
  readonly sig?: Uint32Array;
}

/**
 * 16-byte digest of the token sequence (the normalised text) from the two 32-bit token hashes,
 * chained in order. Not collision-resistant against a crafted input, which at worst makes two
 * records look like normalised duplicates; exact duplicates use SHA-256.
 */
function tokenDigest(t: Tokens): Uint8Array {
  let a = 0x6a09e667 | 0;
  let b = 0xbb67ae85 | 0;
  let c = 0x3c6ef372 | 0;
  let d = 0xa54ff53a | 0;
  for (let i = 0; i < t.count; i++) {
    const x = t.h1[i] as number;
    const y = t.h2[i] as number;
    a = combineHash(a, x);
    b = combineHash(b, y);
    c = combineHash(c ^ 0x51ed27, y);
    d = combineHash(d, x ^ 0x1f83d9ab);
  }
  const out = new Uint32Array([a ^ t.count, b, c, d]);
  return new Uint8Array(out.buffer);
}

function key16(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/** Creates the `duplicates` dataset detector. */
export function createDuplicatesDetector(options: DuplicatesOptions = {}): DatasetDetector<DuplicatesFeatures> {
  const threshold = options.threshold ?? 0.8;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError('duplicates threshold must be in (0, 1]');
  const hasher = createMinHasher(options.permutations ?? 128, options.shingle ?? 3);
  // Candidates are verified on the full signature, so false positives of the banding cost only
  // a compare: weight false negatives heavily (16 bands × 8 rows at k=128, t=0.8: P(candidate
  // | J=0.8) ≈ 0.95 instead of 0.40 with equal weights).
  const { bands, rows } = lshParams(hasher.permutations, threshold, 0.95);
  const minTokens = options.minTokens ?? 8;
  const maxMembers = options.maxMembers ?? 50;
  const near = options.near ?? true;
  const accept = threshold - (options.slack ?? 0.03);

  return {
    id: 'duplicates',
    kind: 'dataset',
    features(view: RecordView): DuplicatesFeatures {
      let canon: string;
      try {
        canon = canonicalize(view.value);
      } catch {
        // Non-JSON values (NaN...) cannot be canonical; fall back to a typed string form.
        canon = `!${String(view.value)}`;
      }
      const exact = new Uint8Array(sha256(canon).subarray(0, 16));
      const fields = mainFields(view.fields);
      if (fields.length === 0) return { exact };
      const folded = foldText(fields.map((f) => f.text).join('\n'));
      const tokens = tokenize(folded);
      if (tokens.count === 0) return { exact };
      const norm = tokenDigest(tokens);
      if (!near || tokens.count < minTokens) return { exact, norm };
      return { exact, norm, sig: hasher.signature(tokens) };
    },

    reduce(items): Finding[] {
      const n = items.length;
      const uf = new UnionFind(n);
      // Layer 1: exact. exactRep[i] = first record with the same canonical digest.
      const exactRep = new Int32Array(n);
      const seen = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const k = key16((items[i] as (typeof items)[number]).features.exact);
        const first = seen.get(k);
        if (first === undefined) {
          seen.set(k, i);
          exactRep[i] = i;
        } else {
          exactRep[i] = first;
          uf.union(first, i);
        }
      }
      // Layer 2: normalised, among exact representatives.
      const normRep = new Int32Array(n).fill(-1);
      seen.clear();
      const reps: number[] = [];
      for (let i = 0; i < n; i++) {
        if (exactRep[i] !== i) continue;
        const f = (items[i] as (typeof items)[number]).features;
        if (!f.norm) continue;
        const k = key16(f.norm);
        const first = seen.get(k);
        if (first === undefined) {
          seen.set(k, i);
          reps.push(i);
        } else {
          normRep[i] = first;
          uf.union(first, i);
        }
      }
      // Layer 3: near, among normalised representatives.
      if (near) {
        const sigs = items.map((it) => it.features.sig);
        lshCluster(sigs, reps, uf, accept, bands, rows);
      }
      return report(items, uf, exactRep, normRep, maxMembers);
    },
  };
}

function report(
  items: ReadonlyArray<{ readonly ref: RecordRef; readonly features: DuplicatesFeatures }>,
  uf: UnionFind,
  exactRep: Int32Array,
  normRep: Int32Array,
  maxMembers: number,
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
        const a = (items[m] as (typeof items)[number]).features.sig;
        const b = (items[root] as (typeof items)[number]).features.sig;
        similarity = a && b ? estimateJaccard(a, b) : 0;
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
