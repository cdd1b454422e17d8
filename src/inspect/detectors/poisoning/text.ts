/**
 * Allocation-light text scanning for the poisoning detector: word tokens hashed in place from
 * char codes (no folded copy, no token strings) and 32-bit mixing with Math.imul.
 *
 * Folding matches the other dataset detectors: NFKC (skipped for pure ASCII), then lowercase;
 * tokens are maximal runs of letters, digits and combining marks. For ASCII text the fold is
 * done on the fly (A–Z → a–z), so the raw string is scanned directly.
 */

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const WORD_CHAR_NON_ASCII = /[\p{L}\p{N}\p{M}]/u;

/** Word-char class of BMP code units: 0 unknown, 1 word, 2 not a word char (filled lazily). */
const CLASS = new Uint8Array(0x10000);
for (let c = 0; c < 128; c++) CLASS[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 1 : 2;

/** Code-unit length of the word char at i (1 or 2), or 0 if it is no word char. */
function wordLen(s: string, i: number, c: number): number {
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) return WORD_CHAR_NON_ASCII.test(s.slice(i, i + 2)) ? 2 : 0;
  let k = CLASS[c] as number;
  if (k === 0) {
    k = WORD_CHAR_NON_ASCII.test(String.fromCharCode(c)) ? 1 : 2;
    CLASS[c] = k;
  }
  return k === 1 ? 1 : 0;
}

/** Folded form of `s` (NFKC unless ASCII, then lowercase); `undefined` when `s` is ASCII (fold on the fly). */
export function foldIfNeeded(s: string): string | undefined {
  return ASCII_ONLY.test(s) ? undefined : s.normalize('NFKC').toLowerCase();
}

/** Whether s[from, to) is pure ASCII. */
export function isAscii(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) >= 128) return false;
  return true;
}

/** Folds a whole string the same way (for display names and label keys). */
export function fold(s: string): string {
  return (ASCII_ONLY.test(s) ? s : s.normalize('NFKC')).toLowerCase();
}

/** murmur3 32-bit finaliser: avalanches all bits of h. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Order-dependent combination of a running hash with the next 32-bit value (h is multiplied
 * before v is mixed in, so "the cf" and "cf the" hash apart).
 */
export function combineHash(h: number, v: number): number {
  return fmix32(((Math.imul(h, 0x9e3779b1) ^ v) + 0x7f4a7c15) | 0);
}

/** 32-bit FNV-1a of a string's UTF-16 code units (from..to), finalised with fmix32. */
export function hashString(s: string, seed = 0, from = 0, to = s.length): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
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

  /** Where the last scan stopped (an offset into the scanned string). */
  stop = 0;

  /**
   * Appends the tokens of s[from, to) (at most `max`), folding ASCII upper case on the fly
   * (`s` must already be folded when it is not ASCII). Returns the number of tokens added, or -1
   * when `asciiOnly` is set and a non-ASCII char was met (the caller folds and scans again).
   */
  scan(s: string, from: number, to: number, max: number, asciiOnly = false): number {
    const first = this.count;
    let count = first;
    let h1 = this.h1;
    let h2 = this.h2;
    let starts = this.starts;
    let ends = this.ends;
    let i = from;
    while (i < to && count - first < max) {
      let c = s.charCodeAt(i);
      if (c >= 128 && asciiOnly) return -1;
      let w = c < 128 ? ((CLASS[c] as number) & 1) : wordLen(s, i, c);
      if (w === 0) {
        i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
        continue;
      }
      const start = i;
      let a = 0x811c9dc5 | 0;
      let b = 0x9747b28c | 0;
      for (;;) {
        if (c >= 65 && c <= 90) c += 32;
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995);
        b ^= b >>> 15;
        if (w === 2) {
          const lo = s.charCodeAt(i + 1);
          a = Math.imul(a ^ lo, 0x01000193);
          b = Math.imul(b ^ lo, 0x5bd1e995);
          b ^= b >>> 15;
        }
        i += w;
        if (i >= to) break;
        c = s.charCodeAt(i);
        if (c < 128) {
          if (((CLASS[c] as number) & 1) === 0) break;
          w = 1;
        } else {
          if (asciiOnly) return -1;
          w = wordLen(s, i, c);
          if (w === 0) break;
        }
      }
      if (count === h1.length) {
        this.count = count;
        this.grow();
        ({ h1, h2, starts, ends } = this);
      }
      h1[count] = fmix32(a);
      h2[count] = fmix32(b ^ 0x2545f491);
      starts[count] = start;
      ends[count] = i;
      count++;
    }
    this.count = count;
    this.stop = i;
    return count - first;
  }
}

/**
 * Hash of a whole response as a token sequence (plus the hash of its first `prefix` tokens and
 * where the display name ends), without storing tokens. `s` must be folded unless ASCII.
 */
export interface SequenceHash {
  count: number;
  hash: number;
  prefixHash: number;
  /** End offset of the display name: the first `prefix` tokens, at most `nameMax` chars. */
  nameEnd: number;
}

/** As TokenBuffer.scan: returns false (out unset) when `asciiOnly` and a non-ASCII char was met. */
export function hashSequence(s: string, to: number, prefix: number, nameMax: number, out: SequenceHash, asciiOnly = false): boolean {
  let h = 0x1234567;
  let p = 0x7654321;
  let count = 0;
  let nameEnd = 0;
  let i = 0;
  while (i < to) {
    let c = s.charCodeAt(i);
    if (c >= 128 && asciiOnly) return false;
    let w = c < 128 ? ((CLASS[c] as number) & 1) : wordLen(s, i, c);
    if (w === 0) {
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      continue;
    }
    let a = 0x811c9dc5 | 0;
    for (;;) {
      if (c >= 65 && c <= 90) c += 32;
      a = Math.imul(a ^ c, 0x01000193);
      if (w === 2) a = Math.imul(a ^ s.charCodeAt(i + 1), 0x01000193);
      i += w;
      if (i >= to) break;
      c = s.charCodeAt(i);
      if (c < 128) {
        if (((CLASS[c] as number) & 1) === 0) break;
        w = 1;
      } else {
        if (asciiOnly) return false;
        w = wordLen(s, i, c);
        if (w === 0) break;
      }
    }
    const t = fmix32(a);
    h = combineHash(h, t);
    if (count < prefix) {
      p = combineHash(p, t);
      nameEnd = i;
    }
    count++;
  }
  out.count = count;
  out.hash = h;
  out.prefixHash = p;
  out.nameEnd = Math.min(nameEnd, nameMax);
  return true;
}
