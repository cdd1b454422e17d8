/**
 * Allocation-light text scanning for the poisoning detector: word tokens hashed in place from
 * char codes (no folded copy, no token strings) and 32-bit mixing with Math.imul.
 *
 * Folding matches the other dataset detectors: NFKC (skipped for pure ASCII), then lowercase;
 * tokens are maximal runs of letters, digits and combining marks. One table lookup per code unit
 * gives its folded unit and word class, so text whose every char folds on its own (ASCII and most
 * other text: see `classify`) is scanned raw in one pass; other text is folded first.
 */

import { fmix32 } from '../../text/index.js';

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const WORD_CHAR_NON_ASCII = /[\p{L}\p{N}\p{M}]/u;
const MARK = /\p{M}/u;

/** FOLD[c] for a BMP code unit c: NON_WORD, UNSAFE, 0 (not yet classified) or its folded unit (a word char). */
const NON_WORD = -1;
const UNSAFE = -2;
const FOLD = new Int32Array(0x10000);
for (let c = 0; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : (c >= 48 && c <= 57) || (c >= 97 && c <= 122) ? c : NON_WORD;

/**
 * Classifies a non-ASCII code unit. It is "simple" when folding it alone is folding it in
 * context: NFKC leaves it as it is, it is no combining mark (marks compose with what precedes),
 * no conjoining Hangul jamo, no capital sigma (final-sigma rule) and lowercases to one unit. Such
 * chars are folded on the fly; any other sends the text through the full fold (UNSAFE).
 */
function classify(c: number): number {
  let k: number;
  if ((c >= 0xd800 && c <= 0xdfff) || (c >= 0x1100 && c <= 0x11ff) || (c >= 0xa960 && c <= 0xa97f) || (c >= 0xd7b0 && c <= 0xd7ff) || c === 0x3a3) k = UNSAFE;
  else {
    const ch = String.fromCharCode(c);
    const lower = ch.toLowerCase();
    if (lower.length !== 1 || ch.normalize('NFKC') !== ch || MARK.test(ch)) k = UNSAFE;
    else k = WORD_CHAR_NON_ASCII.test(lower) ? lower.charCodeAt(0) : NON_WORD;
  }
  FOLD[c] = k;
  return k;
}

/** Code-unit length of the (unsafe) char at i if it is a word char (1 or 2), else 0. */
function wordLen(s: string, i: number, c: number): number {
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) return WORD_CHAR_NON_ASCII.test(s.slice(i, i + 2)) ? 2 : 0;
  return WORD_CHAR_NON_ASCII.test(String.fromCharCode(c)) ? 1 : 0;
}

/** Whether every char of s[from, to) folds on its own (see `classify`), so s can be scanned raw. */
export function isSimple(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    let k = FOLD[c] as number;
    if (k === 0) k = classify(c);
    if (k === UNSAFE) return false;
  }
  return true;
}

/** Folded form of `s` (NFKC unless ASCII, then lowercase); `undefined` when `s` is ASCII (fold on the fly). */
export function foldIfNeeded(s: string): string | undefined {
  return ASCII_ONLY.test(s) ? undefined : s.normalize('NFKC').toLowerCase();
}

/** Folds a whole string the same way (for display names and label keys). */
export function fold(s: string): string {
  return (ASCII_ONLY.test(s) ? s : s.normalize('NFKC')).toLowerCase();
}

/**
 * Order-dependent combination of a running hash with the next 32-bit value (h is multiplied
 * before v is mixed in, so "the cf" and "cf the" hash apart).
 */
export function combineHash(h: number, v: number): number {
  return fmix32(((Math.imul(h, 0x9e3779b1) ^ v) + 0x7f4a7c15) | 0);
}

/**
 * A growable token buffer: two independent 32-bit hashes per token (FNV-1a and a murmur-style
 * multiply; together 64 bits, so two different words practically never share both) and offsets.
 */
export class TokenBuffer {
  count = 0;
  h1 = new Uint32Array(512);
  h2 = new Uint32Array(512);
  starts = new Int32Array(512);
  ends = new Int32Array(512);

  reset(): void {
    this.count = 0;
  }

  private grow(): void {
    const cap = this.h1.length * 2;
    const g = <T extends Uint32Array | Int32Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.h1 = g(this.h1, new Uint32Array(cap));
    this.h2 = g(this.h2, new Uint32Array(cap));
    this.starts = g(this.starts, new Int32Array(cap));
    this.ends = g(this.ends, new Int32Array(cap));
  }

  /** Appends a copy of token i (the end token is kept after the spans' tokens). */
  push(i: number): void {
    if (this.count === this.h1.length) this.grow();
    const k = this.count++;
    this.h1[k] = this.h1[i] as number;
    this.h2[k] = this.h2[i] as number;
    this.starts[k] = this.starts[i] as number;
    this.ends[k] = this.ends[i] as number;
  }

  /** Where the last scan stopped: `to`, or the start of the first token past `max`. */
  stop = 0;

  /**
   * Appends the tokens of s[from, to) (at most `max`), folding on the fly. With `simple`, `s` is
   * raw text and -1 is returned at the first char that does not fold on its own (the caller folds
   * the whole text and scans again); without, `s` must be folded already (or simple).
   * Returns the number of tokens added.
   */
  scan(s: string, from: number, to: number, max: number, simple = false): number {
    const first = this.count;
    let count = first;
    let i = from;
    for (;;) {
      // Skip to the next word char (k: its folded unit, w: its length in code units).
      let k = NON_WORD;
      let w = 1;
      for (; i < to; i++) {
        const c = s.charCodeAt(i);
        k = FOLD[c] as number;
        if (k === 0) k = classify(c);
        if (k > 0) break;
        if (k === UNSAFE) {
          if (simple) return -1;
          w = wordLen(s, i, c);
          if (w > 0) {
            k = c;
            break;
          }
          w = 1;
        }
      }
      if (i >= to || count - first >= max) break;
      // One word: hash its folded units until the first non-word char.
      const start = i;
      let a = 0x811c9dc5 | 0;
      let b = 0x9747b28c | 0;
      for (;;) {
        a = Math.imul(a ^ k, 0x01000193);
        b = Math.imul(b ^ k, 0x5bd1e995);
        b ^= b >>> 15;
        if (w === 2) {
          const lo = s.charCodeAt(++i);
          a = Math.imul(a ^ lo, 0x01000193);
          b = Math.imul(b ^ lo, 0x5bd1e995);
          b ^= b >>> 15;
          w = 1;
        }
        if (++i >= to) break;
        const c = s.charCodeAt(i);
        k = FOLD[c] as number;
        if (k === 0) k = classify(c);
        if (k > 0) continue;
        if (k !== UNSAFE) break;
        if (simple) return -1;
        w = wordLen(s, i, c);
        if (w === 0) break;
        k = c;
      }
      // The token's single emission point.
      if (count === this.h1.length) {
        this.count = count;
        this.grow();
      }
      this.h1[count] = fmix32(a);
      this.h2[count] = fmix32(b ^ 0x2545f491);
      this.starts[count] = start;
      this.ends[count] = i;
      count++;
    }
    this.count = count;
    this.stop = i;
    return count - first;
  }
}

/**
 * Hash of a whole response as a token sequence (plus the hash of its first `prefix` tokens and
 * where the display name ends), without storing tokens: one FNV-1a stream over the folded word
 * chars with a separator after each word, so it costs one multiply per char (no per-word mixing).
 * `s` must be folded unless simple.
 */
export interface SequenceHash {
  count: number;
  hash: number;
  prefixHash: number;
  /** End offset of the display name: the first `prefix` tokens, at most `nameMax` chars. */
  nameEnd: number;
}

/** As TokenBuffer.scan: returns false (out unset) when `simple` and a char that does not fold on its own was met. */
export function hashSequence(s: string, to: number, prefix: number, nameMax: number, out: SequenceHash, simple = false): boolean {
  let h = 0x811c9dc5 | 0;
  let p = h;
  let count = 0;
  let nameEnd = 0;
  let i = 0;
  for (;;) {
    let k = NON_WORD;
    let w = 1;
    for (; i < to; i++) {
      const c = s.charCodeAt(i);
      k = FOLD[c] as number;
      if (k === 0) k = classify(c);
      if (k > 0) break;
      if (k === UNSAFE) {
        if (simple) return false;
        w = wordLen(s, i, c);
        if (w > 0) {
          k = c;
          break;
        }
        w = 1;
      }
    }
    if (i >= to) break;
    for (;;) {
      h = Math.imul(h ^ k, 0x01000193);
      if (w === 2) {
        h = Math.imul(h ^ s.charCodeAt(++i), 0x01000193);
        w = 1;
      }
      if (++i >= to) break;
      const c = s.charCodeAt(i);
      k = FOLD[c] as number;
      if (k === 0) k = classify(c);
      if (k > 0) continue;
      if (k !== UNSAFE) break;
      if (simple) return false;
      w = wordLen(s, i, c);
      if (w === 0) break;
      k = c;
    }
    // The separator (a space: never a word char) ends the word.
    h = Math.imul(h ^ 0x20, 0x01000193);
    if (count < prefix) {
      p = h;
      nameEnd = i;
    }
    count++;
  }
  out.count = count;
  out.hash = fmix32(h);
  out.prefixHash = fmix32(p ^ 0x5bd1e995);
  out.nameEnd = Math.min(nameEnd, nameMax);
  return true;
}
