/**
 * Text normalisation and fast non-cryptographic hashing shared by the dataset-level detectors
 * (duplicates, contamination, poisoning, drift). Everything here is linear in the input and
 * allocation-light: tokens are hashed in place from char codes, never sliced into strings unless
 * a caller asks for them.
 */
import { fmix32 } from '../../text/index.js';
import type { TextField } from '../../types.js';

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const WORD_CHAR_NON_ASCII = /[\p{L}\p{N}\p{M}]/u;

/** Case- and compatibility-folds text: NFKC (skipped for pure ASCII), then lowercase. */
export function foldText(s: string): string {
  return (ASCII_ONLY.test(s) ? s : s.normalize('NFKC')).toLowerCase();
}

/**
 * Word tokens of folded text: maximal runs of letters, digits and combining marks. Punctuation,
 * symbols and whitespace only separate tokens, which makes every consumer robust to
 * punctuation and whitespace edits. Two independent 32-bit hashes per token (FNV-1a and a
 * murmur-style multiply) give 64 bits where a caller needs a low collision rate.
 */
export interface Tokens {
  readonly count: number;
  readonly h1: Uint32Array;
  readonly h2: Uint32Array;
  /** [start, end) UTF-16 offsets of each token in the folded text. */
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
}

/** ASCII word chars: a-z, A-Z, 0-9. */
const ASCII_WORD = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII_WORD[c] = 1;
for (let c = 65; c <= 90; c++) ASCII_WORD[c] = 1;
for (let c = 97; c <= 122; c++) ASCII_WORD[c] = 1;

/** Word-char class of BMP code units, filled on first use: 0 unknown, 1 word char, 2 other. */
const BMP_CLASS = new Uint8Array(0x10000);

/**
 * Code-unit length of the word char at s[i] (c = s.charCodeAt(i)): 1 or 2 (a surrogate pair),
 * or 0 if it is no word char. A high surrogate is tested together with the next code unit.
 */
export function wordCharLen(s: string, i: number, c: number): number {
  if (c < 128) return ASCII_WORD[c] as number;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    return WORD_CHAR_NON_ASCII.test(s.slice(i, i + 2)) ? 2 : 0;
  }
  let k = BMP_CLASS[c] as number;
  if (k === 0) {
    k = WORD_CHAR_NON_ASCII.test(String.fromCharCode(c)) ? 1 : 2;
    BMP_CLASS[c] = k;
  }
  return k === 1 ? 1 : 0;
}

/** Tokenises already-folded text (see foldText), stopping after `maxTokens` tokens. */
export function tokenize(folded: string, maxTokens = Number.MAX_SAFE_INTEGER): Tokens {
  let cap = 64;
  let h1 = new Uint32Array(cap);
  let h2 = new Uint32Array(cap);
  let starts = new Uint32Array(cap);
  let ends = new Uint32Array(cap);
  let count = 0;
  const n = folded.length;
  let i = 0;
  while (i < n && count < maxTokens) {
    let c = folded.charCodeAt(i);
    let w = c < 128 ? (ASCII_WORD[c] as number) : wordCharLen(folded, i, c);
    if (w === 0) {
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      continue;
    }
    const start = i;
    let a = 0x811c9dc5 | 0;
    let b = 0x9747b28c | 0;
    for (;;) {
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
      if (w === 2) {
        const lo = folded.charCodeAt(i + 1);
        a = Math.imul(a ^ lo, 0x01000193);
        b = Math.imul(b ^ lo, 0x5bd1e995);
        b ^= b >>> 15;
      }
      i += w;
      if (i >= n) break;
      c = folded.charCodeAt(i);
      w = c < 128 ? (ASCII_WORD[c] as number) : wordCharLen(folded, i, c);
      if (w === 0) break;
    }
    if (count === cap) {
      cap *= 2;
      h1 = grow(h1, cap);
      h2 = grow(h2, cap);
      starts = grow(starts, cap);
      ends = grow(ends, cap);
    }
    h1[count] = fmix32(a);
    h2[count] = fmix32(b ^ 0x2545f491);
    starts[count] = start;
    ends[count] = i;
    count++;
  }
  return { count, h1, h2, starts, ends };
}

function grow(a: Uint32Array, cap: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}

/** Order-dependent combination of a running hash with the next 32-bit value. */
export function combineHash(h: number, v: number): number {
  return fmix32((Math.imul(h ^ v, 0x9e3779b1) + 0x7f4a7c15) | 0);
}

/** Packs two 32-bit hashes into one exact JS number (53 bits): usable as a Map/Set key. */
export function pack53(h1: number, h2: number): number {
  return (h1 >>> 0) * 0x200000 + (h2 >>> 11);
}

/** Word tokens of `s` as strings (folded), for naming n-grams in findings. */
export function wordsOf(s: string, maxTokens = Number.MAX_SAFE_INTEGER): string[] {
  const f = foldText(s);
  const t = tokenize(f, maxTokens);
  const out: string[] = [];
  for (let i = 0; i < t.count; i++) out.push(f.slice(t.starts[i], t.ends[i]));
  return out;
}

/** Roles that carry the "main" text of a record (everything except a label). */
const MAIN_ROLES = new Set(['prompt', 'response', 'chosen', 'rejected', 'text', 'messages']);

/** The record's main text fields: role-tagged ones other than `label`, or all fields when none is tagged. */
export function mainFields(fields: readonly TextField[]): TextField[] {
  const tagged = fields.filter((f) => f.role !== undefined && MAIN_ROLES.has(f.role));
  if (tagged.length > 0) return tagged;
  if (fields.some((f) => f.role !== undefined)) return [];
  return fields.slice();
}


/** Short redacted excerpt of a text for evidence: at most `max` chars, ellipsis when cut. */
export function excerpt(s: string, max = 60): string {
  const one = s.slice(0, max * 4).replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
