/**
 * contamination: word n-gram overlap between training records and benchmark items (DESIGN §5).
 *
 * Both sides are folded (NFKC, lowercase) and split into word tokens with punctuation and
 * whitespace as mere separators, so a copied item still matches after case, whitespace and
 * punctuation edits. Benchmark n-grams (13 words by default, as in the GPT-3 contamination
 * study) are indexed as 53-bit keys packed from two independent 32-bit hashes. An item shorter
 * than n tokens is indexed as one n-gram of its full length (down to `minItemTokens`; shorter
 * items are skipped because a 4-word "item" would match ordinary prose).
 *
 * A record hits an item when the share of the item's distinct n-grams found in the record
 * reaches `minOverlap` (default 0.5) — "this record contains most of that benchmark item" — or
 * when it contains at least `minMatches` (default 40) of the item's n-grams. Each field of a
 * structured item (a GSM8K question, a HumanEval prompt) of at least n tokens is also indexed as a
 * part: a record holding `minPartOverlap` (0.8) of one part's n-grams hits the item too, because the usual
 * leak is the evaluation prompt alone, with an answer of the copier's own. On clean GSM8K train
 * vs test the largest overlap is 0.19 / 13 n-grams (shared problem templates), far below both.
 */
import type { DatasetDetector, Finding, RecordView } from '../../types.js';
import { fmix32 } from '../../text/index.js';
import { foldText, tokenize } from '../duplicates/index.js';
import { GramIndex } from './gram-index.js';

export interface BenchmarkItem {
  readonly id: string;
  readonly text: string;
  /** The item's fields (name and text), when it has more than one: each is matched on its own too. */
  readonly parts?: ReadonlyArray<{ readonly name: string; readonly text: string }>;
}

export interface Benchmark {
  readonly name: string;
  readonly items: readonly BenchmarkItem[];
}

export interface ContaminationOptions {
  readonly benchmarks: readonly Benchmark[];
  /** n-gram length in word tokens (default 13). */
  readonly n?: number;
  /** Share of an item's n-grams a record must contain to be reported (default 0.5). */
  readonly minOverlap?: number;
  /**
   * Or: distinct matched n-grams that suffice whatever the share (default 40, i.e. a verbatim
   * run of ~52 words) — catches a copied prompt+solution of an item whose text also holds long
   * parts rarely copied (e.g. HumanEval's test harness).
   */
  readonly minMatches?: number;
  /**
   * Share of one part's n-grams (a field of a structured item, e.g. a GSM8K question) a record
   * must contain to hit the item through that part alone (default 0.8: stricter than the whole
   * item's, since one field is short and problem templates recur with other numbers).
   */
  readonly minPartOverlap?: number;
  /** Items with fewer tokens are not indexed (default 8). */
  readonly minItemTokens?: number;
  /** Findings per record at most (default 5, best overlap first). */
  readonly maxHitsPerRecord?: number;
}

/** Per-record features: triplets (item ordinal, distinct matched n-grams, field ordinal) and field paths. */
export interface ContaminationFeatures {
  readonly hits: Uint32Array;
  readonly paths: readonly string[];
}

/** What the n-gram index points to: a whole benchmark item, or one part (field) of it. */
interface IndexedItem {
  readonly benchmark: string;
  readonly id: string;
  /** Ordinal of the whole item this unit belongs to (its own ordinal for a whole item). */
  readonly item: number;
  /** The field, for a part. */
  readonly part?: string;
  readonly grams: number;
  readonly n: number;
}

const ID_KEYS = ['task_id', 'id', 'idx', 'question_id', 'uid'];

/** Turns a benchmark file's records into items: string fields (all, or `fields`) joined; id from task_id/id or the 0-based index. */
export function benchmarkItems(records: readonly unknown[], options: { readonly fields?: readonly string[] } = {}): BenchmarkItem[] {
  const out: BenchmarkItem[] = [];
  records.forEach((r, i) => {
    if (typeof r === 'string') {
      out.push({ id: String(i), text: r });
      return;
    }
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return;
    const o = r as Record<string, unknown>;
    let id = String(i);
    for (const k of ID_KEYS) {
      const v = o[k];
      if (typeof v === 'string' || typeof v === 'number') {
        id = String(v);
        break;
      }
    }
    const keys = options.fields ?? Object.keys(o).filter((k) => !ID_KEYS.includes(k));
    const parts: Array<{ name: string; text: string }> = [];
    for (const k of keys) {
      const v = o[k];
      if (typeof v === 'string') parts.push({ name: k, text: v });
    }
    if (parts.length === 1) out.push({ id, text: (parts[0] as { text: string }).text });
    else if (parts.length > 1) out.push({ id, text: parts.map((p) => p.text).join('\n'), parts });
  });
  return out;
}

const P1 = 0x01000193;
const P2 = 0x5bd1e995;

function powImul(p: number, e: number): number {
  let r = 1;
  for (let i = 0; i < e; i++) r = Math.imul(r, p);
  return r;
}

/**
 * Calls `emit(key, start)` for every n-gram of the token hashes, with a rolling polynomial hash
 * per hash stream (O(1) per position), finalised and packed to 53 bits. Token hashes are already
 * avalanched, so a polynomial over them mod 2^32 spreads well.
 */
function forEachGram(h1: Uint32Array, h2: Uint32Array, count: number, n: number, emit: (hi: number, lo: number, at: number) => void): void {
  if (count < n) return;
  const top1 = powImul(P1, n - 1);
  const top2 = powImul(P2, n - 1);
  let a = 0;
  let b = 0;
  for (let j = 0; j < n; j++) {
    a = (Math.imul(a, P1) + (h1[j] as number)) | 0;
    b = (Math.imul(b, P2) + (h2[j] as number)) | 0;
  }
  for (let i = 0; ; i++) {
    emit(fmix32(a ^ n), fmix32(b + n), i);
    if (i + n >= count) break;
    a = (Math.imul((a - Math.imul(h1[i] as number, top1)) | 0, P1) + (h1[i + n] as number)) | 0;
    b = (Math.imul((b - Math.imul(h2[i] as number, top2)) | 0, P2) + (h2[i + n] as number)) | 0;
  }
}

/** Creates the `contamination` dataset detector over the given benchmarks. */
export function createContaminationDetector(options: ContaminationOptions): DatasetDetector<ContaminationFeatures> {
  const n = options.n ?? 13;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError('contamination n must be an integer in 1..64');
  const minOverlap = options.minOverlap ?? 0.5;
  const minMatches = options.minMatches ?? 40;
  const minPartOverlap = options.minPartOverlap ?? 0.8;
  const minItemTokens = Math.min(options.minItemTokens ?? 8, n);
  const maxHits = options.maxHitsPerRecord ?? 5;

  const items: IndexedItem[] = [];
  const index = new GramIndex(1 << 16);
  const lengths = new Set<number>();
  const filterKeys: number[] = [];
  const add = (text: string, len: number, unit: Omit<IndexedItem, 'grams' | 'n'>, t = tokenize(foldText(text))): void => {
    const ord = items.length;
    let grams = 0;
    forEachGram(t.h1, t.h2, t.count, len, (hi, lo) => {
      if (!index.add(hi, lo, ord)) return;
      grams++;
      filterKeys.push(lo);
    });
    lengths.add(len);
    items.push({ ...unit, grams, n: len });
  };
  for (const bench of options.benchmarks) {
    for (const item of bench.items) {
      const t = tokenize(foldText(item.text));
      if (t.count < minItemTokens) continue;
      const whole = items.length;
      add(item.text, Math.min(n, t.count), { benchmark: bench.name, id: item.id, item: whole }, t);
      // Parts shorter than n tokens are not matched alone: a short field is too generic.
      for (const part of item.parts ?? []) {
        const pt = tokenize(foldText(part.text));
        if (pt.count >= n && pt.count < t.count) add(part.text, n, { benchmark: bench.name, id: item.id, item: whole, part: part.name }, pt);
      }
    }
  }
  const lens = [...lengths].sort((x, y) => y - x);
  // A bit per hashed n-gram (low word of the key), ~16 bits per indexed key: almost every n-gram
  // of a clean record misses here, before the index is probed.
  const bits = Math.max(1 << 16, 1 << Math.ceil(Math.log2(Math.max(1, index.size) * 16)));
  const filter = new Uint32Array(bits >>> 5);
  const mask = bits - 1;
  for (const lo of filterKeys) filter[(lo & mask) >>> 5] = (filter[(lo & mask) >>> 5] as number) | (1 << (lo & 31));
  filterKeys.length = 0;

  return {
    id: 'contamination',
    kind: 'dataset',
    features(view: RecordView): ContaminationFeatures | undefined {
      if (items.length === 0 || view.fields.length === 0) return undefined;
      // Tokens of all fields in order, so an item split over prompt and response still matches.
      const toks = view.fields.map((f) => tokenize(foldText(f.text)));
      let total = 0;
      for (const t of toks) total += t.count;
      const a1 = new Uint32Array(total);
      const a2 = new Uint32Array(total);
      const fieldOf = new Uint16Array(total);
      let at = 0;
      toks.forEach((t, fi) => {
        a1.set(t.h1.subarray(0, t.count), at);
        a2.set(t.h2.subarray(0, t.count), at);
        fieldOf.fill(Math.min(fi, 0xffff), at, at + t.count);
        at += t.count;
      });
      const seen = new Set<number>();
      const perItem = new Map<number, { count: number; field: number }>();
      const credit = (ord: number, field: number): void => {
        const e = perItem.get(ord);
        if (e) e.count++;
        else perItem.set(ord, { count: 1, field });
      };
      for (const len of lens) {
        forEachGram(a1, a2, total, len, (hi, lo, i) => {
          if (((filter[(lo & mask) >>> 5] as number) & (1 << (lo & 31))) === 0) return;
          const first = index.find(hi, lo);
          // A key is named by its newest posting (the index no longer changes).
          if (first < 0 || seen.has(first)) return;
          seen.add(first);
          const field = fieldOf[i] as number;
          for (let p = first; p >= 0; p = index.nextOf(p)) credit(index.unitOf(p), field);
        });
      }
      if (perItem.size === 0) return undefined;
      const hits = new Uint32Array(perItem.size * 3);
      let j = 0;
      for (const [ord, e] of perItem) {
        hits[j++] = ord;
        hits[j++] = e.count;
        hits[j++] = e.field;
      }
      return { hits, paths: view.fields.map((f) => f.path) };
    },

    reduce(records): Finding[] {
      const findings: Finding[] = [];
      records.scan((features, ordinal) => {
        const ref = records.ref(ordinal);
        // Best unit per item (the whole item, or one of its parts).
        const best = new Map<number, { ord: number; ratio: number; matched: number; field: number }>();
        const h = features.hits;
        for (let i = 0; i + 2 < h.length; i += 3) {
          const ord = h[i] as number;
          const unit = items[ord];
          if (!unit) continue;
          const matched = h[i + 1] as number;
          const ratio = Math.min(1, matched / Math.max(1, unit.grams));
          if (!(ratio >= (unit.part === undefined ? minOverlap : minPartOverlap) || matched >= minMatches)) continue;
          const prev = best.get(unit.item);
          // Whole-item overlap is the stronger claim: a part wins only with a higher share.
          if (!prev || ratio > prev.ratio || (ratio === prev.ratio && unit.part === undefined)) best.set(unit.item, { ord, ratio, matched, field: h[i + 2] as number });
        }
        const cands = [...best.values()];
        cands.sort((x, y) => y.ratio - x.ratio || x.ord - y.ord);
        for (const c of cands.slice(0, maxHits)) {
          const item = items[c.ord] as IndexedItem;
          const field = features.paths[c.field];
          const pct = Math.round(c.ratio * 100);
          const what = item.part === undefined ? `benchmark ${item.benchmark} item ${item.id}` : `the ${JSON.stringify(item.part)} field of benchmark ${item.benchmark} item ${item.id}`;
          findings.push({
            detector: 'contamination',
            rule: 'benchmark-overlap',
            severity: c.ratio >= 0.8 ? 'high' : 'medium',
            confidence: Math.round(c.ratio * 1000) / 1000,
            location: {
              file: ref.file,
              index: ref.index,
              ...(ref.line !== undefined ? { line: ref.line } : {}),
              ...(ref.row !== undefined ? { row: ref.row } : {}),
              ...(field !== undefined ? { field } : {}),
            },
            message: `Record contains ${pct}% of the ${item.n}-grams of ${what}.`,
            data: {
              benchmark: item.benchmark,
              item: item.id,
              ...(item.part !== undefined ? { part: item.part } : {}),
              overlap: Math.round(c.ratio * 1000) / 1000,
              matchedNgrams: c.matched,
              itemNgrams: item.grams,
              n: item.n,
            },
          });
        }
      });
      return findings;
    },
  };
}
