/**
 * Per-record sketches for the duplicates detector, computed with integer arithmetic only (no
 * shingle strings, no per-record allocations besides the result, itself a view into a shared
 * slab): a main-text field is read once, folded code unit by code unit (fold.ts), for its tokens
 * and its exact-hash lanes together; only fields with code units that need the full NFKC fold
 * (ligatures, fullwidth forms, combining marks, final sigma, astral characters...) go through
 * `normalize('NFKC').toLowerCase()` and are read again:
 *
 *  - exact: a 64-bit hash of the record's RFC 8785 canonical form, computed by walking the
 *    value (object members in UTF-16 key order, numbers by value with -0 = 0, type tags and
 *    lengths so that the encoding is injective), so records that canonicalise to the same text
 *    hash alike without building that text;
 *  - normalised: a 64-bit hash of the folded word-token sequence of the main text (the same
 *    tokens as `tokenize(foldText(...))`, two 32-bit token hashes each);
 *  - near: a MinHash signature by one-permutation hashing (Li, Owen & Zhang 2012): each word
 *    shingle is hashed once to 32 bits, the top bits pick one of k bins and the rest is the
 *    value whose minimum the bin keeps. Empty bins are filled by rotation (Shrivastava & Li
 *    2014: the nearest filled bin to the right plus an offset per step of distance) so that
 *    LSH bands always have values, and a fill map (1 bit per bin) records which bins were
 *    filled before, for the one-permutation estimator used in verification
 *    (`estimateSimilarity`), which is close to exact for texts of up to about k shingles.
 *    Bins keep the low 16 bits of their minimum (b-bit MinHash, Li & König 2010: a 2^-16
 *    chance of a false bin match, negligible at the thresholds used).
 *
 * None of these hashes is collision-resistant against crafted input; a collision can only make
 * two different records look like duplicates (a false finding on the supplier's own data), it
 * cannot hide a duplicate.
 */
import type { TextField } from '../../types.js';
import { FOLD, FOLD_BAIL, foldOf } from './fold.js';
import { wordCharLen } from './text.js';

/** Lengths of the feature vector: exact only, exact + normalised, or with a signature. */
export const EXACT_WORDS = 4;
export const NORM_WORDS = 8;

/** ASCII word chars (letters and digits): 1, else 0 (for the slow path on folded text). */
const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD[c] = FOLD[c] === 0 ? 0 : 1;

/**
 * murmur3 32-bit finaliser (as fmix32 in text.ts) returning a signed int32, which V8 keeps
 * unboxed in hot loops where a uint32 above 2^31 would be a heap number.
 */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

// ---------------------------------------------------------------------------------------------
// Scratch state of the thread (features run one record at a time, synchronously).

/** Token hashes of the current record, in order. */
let toks1 = new Int32Array(1024);
let toks2 = new Int32Array(1024);
let count = 0;

/** String hash lanes of the last `hashString` / tokenised ASCII field. */
let sa = 0;
let sb = 0;

/** Main-field strings of the current record already hashed by the tokeniser, with their lanes. */
const cacheStr: string[] = [];
let cacheA = new Int32Array(8);
let cacheB = new Int32Array(8);
let cacheN = 0;

/** A copy of `a` with twice the room (the scratch arrays grow, never shrink). */
function doubled(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function pushToken(h1: number, h2: number): void {
  if (count === toks1.length) {
    toks1 = doubled(toks1);
    toks2 = doubled(toks2);
  }
  toks1[count] = h1;
  toks2[count] = h2;
  count++;
}

function cacheString(s: string): void {
  if (cacheN === cacheA.length) {
    cacheA = doubled(cacheA);
    cacheB = doubled(cacheB);
  }
  cacheStr[cacheN] = s;
  cacheA[cacheN] = sa;
  cacheB[cacheN] = sb;
  cacheN++;
}

/**
 * Raw string lanes (every UTF-16 code unit, two independent 32-bit lanes) into sa/sb. The
 * ASCII tokeniser computes the very same lanes while it reads a field, so the exact hash does
 * not read main-text fields a second time.
 */
function hashString(s: string): void {
  let a = 0x2f3a91c7;
  let b = 0x6c8e9cf5;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x9e3779b1);
    a ^= a >>> 15;
    b = Math.imul((b + c) | 0, 0x85ebca77);
  }
  sa = a;
  sb = b;
}

/** Makes room for `n` token hashes in the scratch arrays. */
function reserve(n: number): void {
  if (n <= toks1.length) return;
  let cap = toks1.length * 2;
  while (cap < n) cap *= 2;
  const t1 = new Int32Array(cap);
  const t2 = new Int32Array(cap);
  t1.set(toks1.subarray(0, count));
  t2.set(toks2.subarray(0, count));
  toks1 = t1;
  toks2 = t2;
}

/**
 * Word tokens of a field folded on the fly, code unit by code unit (see fold.ts), and its raw
 * lanes, in one pass and without intermediate strings. Returns false, with the tokens of this
 * field undone, at the first code unit that needs the full NFKC + lower-case fold.
 *
 * Branch-free over word boundaries (they are unpredictable): the token lanes restart at every
 * separator, the lanes of the current token are stored at `count` at every code unit, and
 * `count` moves on where a token ends; the stored lanes are finalised afterwards.
 */
function tokenizeFast(s: string): boolean {
  const n = s.length;
  const count0 = count;
  // Room for the tokens of typical fields up front (at most one per two code units, plus one);
  // a huge field grows the arrays as it goes.
  reserve(count + Math.min(n >>> 1, 1 << 16) + 2);
  let o1 = toks1;
  let o2 = toks2;
  let room = o1.length - 1;
  let k = count;
  let a = 0x2f3a91c7;
  let b = 0x6c8e9cf5;
  // Token lanes as in `tokenize` (FNV-1a and a murmur-style multiply).
  let t1 = 0x811c9dc5 | 0;
  let t2 = 0x9747b28c | 0;
  let inWord = 0;
  for (let i = 0; i < n; i++) {
    const raw = s.charCodeAt(i);
    a = Math.imul(a ^ raw, 0x9e3779b1);
    a ^= a >>> 15;
    b = Math.imul((b + raw) | 0, 0x85ebca77);
    let c = FOLD[raw] as number;
    if (c >= FOLD_BAIL) {
      c = foldOf(raw);
      if (c === FOLD_BAIL) {
        count = count0;
        return false;
      }
    }
    if (k >= room) {
      count = k;
      reserve(k + 2);
      o1 = toks1;
      o2 = toks2;
      room = o1.length - 1;
    }
    // w = 1 for a word char, 0 for a separator; m = all ones / zero.
    const w = (c | -c) >>> 31;
    o1[k] = t1;
    o2[k] = t2;
    k += inWord & (w ^ 1);
    const m = -w;
    const u2 = Math.imul(t2 ^ c, 0x5bd1e995);
    t1 = (Math.imul(t1 ^ c, 0x01000193) & m) | (0x811c9dc5 & ~m);
    t2 = ((u2 ^ (u2 >>> 15)) & m) | (0x9747b28c & ~m);
    inWord = w;
  }
  if (inWord !== 0) {
    o1[k] = t1;
    o2[k] = t2;
    k++;
  }
  for (let j = count0; j < k; j++) {
    o1[j] = mix32(o1[j] as number);
    o2[j] = mix32((o2[j] as number) ^ 0x2545f491);
  }
  count = k;
  sa = a;
  sb = b;
  return true;
}

/** Word tokens of folded text with any code units (the tokens of `tokenize` in text.ts). */
function tokenizeFolded(s: string): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    let c = s.charCodeAt(i);
    let w = c < 128 ? (ASCII_WORD[c] as number) : wordCharLen(s, i, c);
    if (w === 0) {
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      continue;
    }
    let t1 = 0x811c9dc5 | 0;
    let t2 = 0x9747b28c | 0;
    for (;;) {
      t1 = Math.imul(t1 ^ c, 0x01000193);
      t2 = Math.imul(t2 ^ c, 0x5bd1e995);
      t2 ^= t2 >>> 15;
      if (w === 2) {
        const lo = s.charCodeAt(i + 1);
        t1 = Math.imul(t1 ^ lo, 0x01000193);
        t2 = Math.imul(t2 ^ lo, 0x5bd1e995);
        t2 ^= t2 >>> 15;
      }
      i += w;
      if (i >= n) break;
      c = s.charCodeAt(i);
      w = c < 128 ? (ASCII_WORD[c] as number) : wordCharLen(s, i, c);
      if (w === 0) break;
    }
    pushToken(mix32(t1), mix32(t2 ^ 0x2545f491));
  }
}

/** Tokens of one main-text field, folded as foldText does (NFKC unless ASCII, lower case). */
function tokenizeField(text: string): void {
  if (!tokenizeFast(text)) {
    tokenizeFolded(text.normalize('NFKC').toLowerCase());
    hashString(text);
  }
  cacheString(text);
}

/**
 * The word-token hashes of `text` as the sketches see them (both 32-bit lanes, as unsigned
 * numbers, and whether the one-pass fold handled it): for tests against `tokenize(foldText(text))`.
 */
export function tokenHashes(text: string): { h1: number[]; h2: number[]; onePass: boolean } {
  count = 0;
  cacheN = 0;
  const onePass = tokenizeFast(text);
  if (!onePass) tokenizeFolded(text.normalize('NFKC').toLowerCase());
  const h1: number[] = [];
  const h2: number[] = [];
  for (let i = 0; i < count; i++) {
    h1.push((toks1[i] as number) >>> 0);
    h2.push((toks2[i] as number) >>> 0);
  }
  count = 0;
  return { h1, h2, onePass };
}

// ---------------------------------------------------------------------------------------------
// Exact: 64-bit hash of the canonical value (two 32-bit lanes over a tagged, length-prefixed
// encoding of the value; strings enter as their length and raw lanes).

let ea = 0;
let eb = 0;

function absorb(w: number): void {
  ea = Math.imul(ea ^ w, 0x9e3779b1);
  ea ^= ea >>> 15;
  eb = Math.imul((eb + w) | 0, 0x85ebca77);
  eb = (eb << 13) | (eb >>> 19);
}

function absorbString(s: string): void {
  absorb(s.length);
  let j = 0;
  while (j < cacheN && cacheStr[j] !== s) j++;
  if (j < cacheN) {
    absorb(cacheA[j] as number);
    absorb(cacheB[j] as number);
  } else {
    hashString(s);
    absorb(sa);
    absorb(sb);
  }
}

const f64 = new Float64Array(1);
const f64w = new Int32Array(f64.buffer);

/** Nesting depth past which values are hashed by a tag only (no JSON parser goes that deep). */
const MAX_DEPTH = 4096;

function absorbValue(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      absorb(1);
      absorbString(v);
      return;
    case 'number':
      if (!Number.isFinite(v)) {
        // Not JSON (NaN, ±Infinity): its own tag, so it still differs from every JSON value.
        absorb(9);
        absorb(v !== v ? 0 : v > 0 ? 1 : 2);
        return;
      }
      absorb(2);
      // Canonical numbers are the shortest round-trip form: equal values print alike, -0 as 0.
      f64[0] = v === 0 ? 0 : v;
      absorb(f64w[0] as number);
      absorb(f64w[1] as number);
      return;
    case 'boolean':
      absorb(v ? 3 : 4);
      return;
    case 'object': {
      if (v === null) {
        absorb(5);
        return;
      }
      if (depth > MAX_DEPTH) {
        absorb(10);
        return;
      }
      if (Array.isArray(v)) {
        absorb(6);
        absorb(v.length);
        for (let i = 0; i < v.length; i++) absorbValue(v[i], depth + 1);
        return;
      }
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      sortKeys(keys);
      absorb(7);
      absorb(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        absorbString(k);
        absorbValue(o[k], depth + 1);
      }
      return;
    }
    case 'undefined':
      absorb(11);
      return;
    default:
      // bigint (64-bit Parquet integers), symbol, function: tagged by type and string form.
      absorb(12);
      absorbString(typeof v);
      absorbString(String(v));
  }
}

/** RFC 8785 member order (UTF-16 code units, what `<` and the default sort compare). */
function sortKeys(keys: string[]): void {
  const n = keys.length;
  if (n > 16) {
    keys.sort();
    return;
  }
  // Insertion sort: records have a handful of keys, often already in order.
  for (let i = 1; i < n; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > k) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = k;
  }
}

function exactInto(value: unknown, out: Uint16Array): void {
  ea = 0x2f3a91c7;
  eb = 0x6c8e9cf5;
  absorbValue(value, 0);
  const a = mix32(ea ^ Math.imul(eb, 0x27d4eb2f));
  const b = mix32(eb ^ 0x165667b1 ^ ea);
  out[0] = a;
  out[1] = a >>> 16;
  out[2] = b;
  out[3] = b >>> 16;
}

/**
 * 64-bit hash of `value` into out[0..3]: equal for values with the same RFC 8785 canonical
 * form. Values without one (bigint, NaN, undefined members) hash by type and value, so two such
 * records are only equal when their values are.
 */
export function exactHash(value: unknown, out: Uint16Array): void {
  cacheN = 0;
  exactInto(value, out);
}

// ---------------------------------------------------------------------------------------------
// Normalised hash and one-permutation MinHash.

/** Builds per-record features for given signature size (bins, a power of two) and shingle size. */
export interface Sketcher {
  readonly bins: number;
  readonly shingle: number;
  /**
   * Features of a record: [exact ×4, norm ×4, signature ×bins] as 16-bit words; only the exact
   * part when there is no main text, no signature when `near` is off or the text has fewer than
   * `minTokens` tokens.
   */
  features(value: unknown, fields: readonly TextField[]): Uint16Array;
  /** Signature (bins 16-bit slots) of folded word tokens of `text`, for tests and tools. */
  signature(text: string): Uint16Array | undefined;
}

export interface SketchOptions {
  readonly bins?: number;
  readonly shingle?: number;
  readonly minTokens?: number;
  readonly near?: boolean;
  readonly seed?: number;
}

/** Above every bin value (values have at most 29 bits): marks an empty bin. */
const EMPTY = 0x7fffffff;
/** Offset per bin of distance for rotation densification (odd: distinct distances differ mod 2^16). */
const ROTATE = 0x9e37;

/** Normalised hash of the current tokens into out[4..8). */
function normInto(out: Uint16Array): void {
  let a = 0x6a09e667 | 0;
  let b = 0xbb67ae85 | 0;
  for (let i = 0; i < count; i++) {
    const x = toks1[i] as number;
    const y = toks2[i] as number;
    a = Math.imul(a ^ x, 0x9e3779b1);
    a ^= a >>> 15;
    a = Math.imul(a ^ y, 0x85ebca77);
    a ^= a >>> 13;
    b = Math.imul((b + y) | 0, 0xc2b2ae35);
    b = (b << 13) | (b >>> 19);
    b = Math.imul(b ^ x, 0x27d4eb2f);
  }
  const h1 = mix32(a ^ count);
  const h2 = mix32(b ^ Math.imul(h1, 0x165667b1));
  out[4] = h1;
  out[5] = h1 >>> 16;
  out[6] = h2;
  out[7] = h2 >>> 16;
}

/**
 * Feature vectors are views into shared slabs of SLAB_WORDS words rather than one typed array
 * each: one backing store per ~110 records instead of one per record (allocation, external-memory
 * accounting and GC), records next to each other in memory for the reduce step, and one buffer
 * per slab, not per record, in a structured clone (views of one buffer share it; a clone of a
 * shard's features carries at most the unused tail of its first and last slab in addition).
 */
const SLAB_WORDS = 16384;
let slab = new Uint16Array(SLAB_WORDS);
let slabUsed = 0;

function slabAlloc(words: number): Uint16Array {
  if (words > SLAB_WORDS >>> 2) return new Uint16Array(words);
  if (slabUsed + words > SLAB_WORDS) {
    slab = new Uint16Array(SLAB_WORDS);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + words);
  slabUsed += words;
  return out;
}

/** Creates a sketcher; deterministic for given options (no per-process randomness). */
export function createSketcher(options: SketchOptions = {}): Sketcher {
  const bins = options.bins ?? 128;
  if (!Number.isInteger(bins) || bins < 16 || bins > 1024 || (bins & (bins - 1)) !== 0) {
    throw new RangeError('permutations must be a power of two in 16..1024');
  }
  const shingle = options.shingle ?? 3;
  if (!Number.isInteger(shingle) || shingle < 1 || shingle > 16) throw new RangeError('shingle must be 1..16');
  const minTokens = options.minTokens ?? 8;
  const near = options.near ?? true;
  const seedMix = mix32((options.seed ?? 0x5eed) ^ 0x68e31da4);
  const shift = 32 - Math.log2(bins);
  const valueMask = (1 << shift) - 1;

  const mins = new Int32Array(bins);

  /**
   * One-permutation MinHash of the current tokens into out[off..off+bins), densified by
   * rotation, then the map of bins that were filled before densification (1 bit per bin) in
   * the next bins/16 words.
   */
  const signatureInto = (out: Uint16Array, off: number): void => {
    mins.fill(EMPTY);
    // Shingle hash: a polynomial of the (well-mixed) token hashes, then one avalanche. Fewer
    // tokens than a shingle: the whole text is one shingle.
    const w = Math.min(shingle, count);
    if (w === 3) {
      // The default, with a rolling window in registers.
      let p1 = toks1[0] as number;
      let p2 = toks1[1] as number;
      for (let i = 2; i < count; i++) {
        const t = toks1[i] as number;
        const x = (Math.imul((Math.imul(p1, 0x9e3779b1) + p2) | 0, 0x9e3779b1) + t) | 0;
        const g = mix32(((x ^ seedMix) + w) | 0);
        const bin = g >>> shift;
        mins[bin] = Math.min(mins[bin] as number, g & valueMask);
        p1 = p2;
        p2 = t;
      }
    } else {
      for (let i = w; i <= count; i++) {
        let x = 0;
        for (let j = i - w; j < i; j++) x = (Math.imul(x, 0x9e3779b1) + (toks1[j] as number)) | 0;
        const g = mix32(((x ^ seedMix) + w) | 0);
        const bin = g >>> shift;
        mins[bin] = Math.min(mins[bin] as number, g & valueMask);
      }
    }
    // Rotation: an empty bin takes the nearest filled bin to its right (circularly), plus
    // ROTATE × the distance, so that copies from different distances do not match. The fill
    // map (bit j of word k: bin 16k + j was filled) follows the slots.
    const m = off + bins;
    let first = 0;
    while ((mins[first] as number) === EMPTY) first++;
    let last = mins[first] as number;
    let dist = first;
    let bits = 0;
    for (let i = bins - 1; i >= 0; i--) {
      const v = mins[i] as number;
      // Branch-free (about half the bins are filled, unpredictably): f = -1 when filled, else 0.
      const f = (v - EMPTY) >> 31;
      last = (v & f) | (last & ~f);
      dist = (dist + 1) & ~f;
      out[off + i] = last + Math.imul(ROTATE, dist);
      bits |= (f & 1) << (i & 15);
      if ((i & 15) === 0) {
        out[m + (i >>> 4)] = bits;
        bits = 0;
      }
    }
  };

  const begin = (): void => {
    count = 0;
    cacheN = 0;
  };

  return {
    bins,
    shingle,
    features(value: unknown, fields: readonly TextField[]): Uint16Array {
      begin();
      for (let f = 0; f < fields.length; f++) tokenizeField((fields[f] as TextField).text);
      let out: Uint16Array;
      if (count === 0) out = slabAlloc(EXACT_WORDS);
      else if (!near || count < minTokens) out = slabAlloc(NORM_WORDS);
      else {
        out = slabAlloc(NORM_WORDS + bins + (bins >>> 4));
        signatureInto(out, NORM_WORDS);
      }
      exactInto(value, out);
      if (count > 0) normInto(out);
      // Drop the references to this record's strings.
      for (let j = 0; j < cacheN; j++) cacheStr[j] = '';
      cacheN = 0;
      return out;
    },
    signature(text: string): Uint16Array | undefined {
      begin();
      tokenizeField(text);
      cacheN = 0;
      if (count === 0) return undefined;
      const out = new Uint16Array(bins + (bins >>> 4));
      signatureInto(out, 0);
      return out;
    },
  };
}
