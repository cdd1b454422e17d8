/**
 * Per-code-unit folding for the one-pass tokeniser of sketch.ts: `foldText` (NFKC, then lower
 * case) applied one UTF-16 code unit at a time, for the code units where that is exact.
 *
 * A string made only of code units that (a) NFKC leaves alone on their own, (b) are starters that
 * never compose with a preceding character and (c) lower-case to one code unit without context,
 * is already in NFKC (the Unicode quick check: every character NFKC_QC=Yes with combining class
 * 0), and its lower case is the code-unit-wise lower case. So folding such a string needs no
 * `normalize` and no intermediate strings. Every other code unit is `FOLD_BAIL`: the caller then
 * folds the whole field with `normalize('NFKC').toLowerCase()`. The excluded code units:
 *  - marks (\p{M}): combining classes other than 0, and (with the conjoining Hangul vowels and
 *    trailing consonants, excluded by range) every character that can compose with the one before
 *    it (NFC_QC=Maybe);
 *  - code units that NFKC changes on their own (compatibility characters, singletons, composition
 *    exclusions), surrogates (handled by the slow path), U+03A3 (Σ lower-cases by context to σ or
 *    ς) and code units whose lower case is longer (U+0130 İ).
 */

/**
 * Needs the slow path (normalize + toLowerCase of the whole field). Above every folded word
 * char (U+FFFE and U+FFFF are noncharacters), so one compare catches it and UNKNOWN.
 */
export const FOLD_BAIL = 0xfffe;
/** Not classified yet. */
const UNKNOWN = 0xffff;

const WORD_CHAR_NON_ASCII = /[\p{L}\p{N}\p{M}]/u;
const MARK = /\p{M}/u;

/**
 * FOLD[c]: 0 when code unit c (after folding) separates words, FOLD_BAIL when it needs the slow
 * path, else the folded code unit, a word char. Filled for ASCII up front and for other code
 * units on first use (`foldOf`).
 */
export const FOLD = new Uint16Array(0x10000).fill(UNKNOWN);
for (let c = 0; c < 128; c++) FOLD[c] = 0;
for (let c = 48; c <= 57; c++) FOLD[c] = c;
for (let c = 97; c <= 122; c++) FOLD[c] = c;
for (let c = 65; c <= 90; c++) FOLD[c] = c + 32;

/** FOLD[c], classifying c first if needed. */
export function foldOf(c: number): number {
  const k = FOLD[c] as number;
  return k !== UNKNOWN ? k : classify(c);
}

function classify(c: number): number {
  let k: number = FOLD_BAIL;
  const ch = String.fromCharCode(c);
  const hangulJamo = (c >= 0x1100 && c <= 0x11ff) || (c >= 0xa960 && c <= 0xa97f) || (c >= 0xd7b0 && c <= 0xd7ff);
  if (!(c >= 0xd800 && c <= 0xdfff) && !hangulJamo && c !== 0x3a3 && !MARK.test(ch) && ch.normalize('NFKC') === ch) {
    const lower = ch.toLowerCase();
    if (lower.length === 1) {
      const l = lower.charCodeAt(0);
      const word = l < 128 ? (FOLD[l] as number) !== 0 : WORD_CHAR_NON_ASCII.test(lower);
      k = word ? l : 0;
    }
  }
  FOLD[c] = k;
  return k;
}
