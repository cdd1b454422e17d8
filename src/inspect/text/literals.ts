/**
 * One-pass, case-insensitive search for many short ASCII literals: the keyword prefilter of the
 * secrets and injection detectors. Most record text (math problems, dialogues) holds none of the
 * keywords, so the whole cost of a rule table on such text is this one scan.
 *
 * Every character is folded to a 6-bit code (ASCII letters case-folded; characters that occur in
 * no literal, and all non-ASCII characters, map to 0), the codes of the last three characters form
 * an 18-bit index, and a table says which literals start with that trigram; those few are then
 * compared in full. A 2-character literal is entered under every possible third code.
 *
 * Matching is ASCII case-insensitive, exactly like a regex with the `i` flag and no `u` flag:
 * no non-ASCII character ever matches an ASCII literal. `String.prototype.toLowerCase` differs
 * only on U+0130 (→ "i̇") and U+212A KELVIN SIGN (→ "k"); `foldHazard` tells when a scanned text
 * held one of them, so a caller that must agree with `toLowerCase().includes()` can fall back.
 */

/** What `compileLiterals` accepts: lowercase printable ASCII, at least 2 characters. */
export function isScannableLiteral(literal: string): boolean {
  return literal.length >= 2 && /^[\x20-\x40\x5B-\x7E]+$/.test(literal);
}

/**
 * The literals of `literals` (in order) that one scanner can take together: scannable ones, as
 * long as they add up to at most 63 distinct case-folded characters.
 */
export function selectScannable(literals: readonly string[]): string[] {
  const chars = new Set<string>();
  const out: string[] = [];
  for (const lit of literals) {
    if (!isScannableLiteral(lit)) continue;
    const added = [...new Set(lit)].filter((c) => !chars.has(c));
    if (chars.size + added.length > 63) continue;
    for (const c of added) chars.add(c);
    out.push(lit);
  }
  return out;
}

/** A compiled literal set; `scan` marks which literals occur in a text. */
export interface LiteralScanner {
  /** The literals, in the order given (duplicates kept; each index is marked on its own). */
  readonly literals: readonly string[];
  /**
   * Sets `found[i] = 1` for every literal `i` occurring in `text` (ASCII case-insensitively) and
   * returns how many indices it set. `found` must hold `literals.length` zeroes.
   */
  scan(text: string, found: Uint8Array): number;
  /** After `scan`: the OR of `pageBits[unit >> 8]` over the text's non-ASCII UTF-16 code units. */
  readonly pages: number;
  /** After `scan`: the text held U+0130 or U+212A, whose lower case contains ASCII letters. */
  readonly foldHazard: boolean;
}

const MASK = 0x3ffff;

/**
 * Compile `literals` (each must pass `isScannableLiteral`, and together they may use at most 63
 * distinct characters, as `selectScannable` ensures). `pageBits` (256 entries, one per block of
 * 256 code units) lets a caller learn in the same pass which scripts occur: see `pages`. Throws a
 * plain Error on bad input: a programming error, like a malformed rule table.
 */
export function compileLiterals(literals: readonly string[], pageBits?: Uint32Array): LiteralScanner {
  const page = pageBits ?? new Uint32Array(256);
  if (page.length !== 256) throw new Error('pageBits needs one entry per 256-code-unit page');
  const code = new Uint8Array(128);
  let next = 1;
  for (const lit of literals) {
    if (!isScannableLiteral(lit)) throw new Error(`literal ${JSON.stringify(lit)}: needs 2+ lowercase printable ASCII characters`);
    for (let k = 0; k < lit.length; k++) {
      const ch = lit.charCodeAt(k);
      if (code[ch] !== 0) continue;
      if (next > 63) throw new Error('literal set uses more than 63 distinct characters');
      code[ch] = next;
      if (ch >= 0x61 && ch <= 0x7a) code[ch - 0x20] = next; // the upper-case letter shares the code
      next++;
    }
  }
  // head[trigram] = 1 + index into `buckets` (0: no literal starts with this trigram).
  const head = new Uint16Array(MASK + 1);
  const buckets: number[][] = [];
  const enter = (tri: number, id: number): void => {
    let b = head[tri] as number;
    if (b === 0) {
      buckets.push([]);
      b = buckets.length;
      head[tri] = b;
    }
    (buckets[b - 1] as number[]).push(id);
  };
  literals.forEach((lit, id) => {
    const c0 = code[lit.charCodeAt(0)] as number;
    const c1 = code[lit.charCodeAt(1)] as number;
    if (lit.length === 2) {
      for (let c2 = 0; c2 < 64; c2++) enter((c0 << 12) | (c1 << 6) | c2, id);
    } else {
      enter((c0 << 12) | (c1 << 6) | (code[lit.charCodeAt(2)] as number), id);
    }
  });
  if (buckets.length > 0xffff) throw new Error('literal set too large');
  return new CompiledLiterals([...literals], code, head, buckets, page);
}

/** Trigram hits buffered before they are confirmed (keeps the per-character loop minimal). */
const HIT_BUFFER = 256;

class CompiledLiterals implements LiteralScanner {
  pages = 0;
  foldHazard = false;
  private readonly lens: Int32Array;
  /** Buffered candidates: start offset and bucket of each trigram hit. */
  private readonly hitAt = new Int32Array(HIT_BUFFER);
  private readonly hitBucket = new Int32Array(HIT_BUFFER);

  constructor(
    readonly literals: readonly string[],
    private readonly code: Uint8Array,
    private readonly head: Uint16Array,
    private readonly buckets: readonly (readonly number[])[],
    private readonly page: Uint32Array,
  ) {
    this.lens = Int32Array.from(literals, (l) => l.length);
  }

  scan(text: string, found: Uint8Array): number {
    // Locals, not fields, in the loop: it runs once per character of every field.
    const { code, head, page, hitAt, hitBucket } = this;
    const n = text.length;
    let h = 0;
    let hits = 0;
    let distinct = 0;
    let pages = 0;
    let hazard = false;
    // The literals starting at i - 2 are candidates once the character at i has been shifted in.
    for (let i = 0; i < n; i++) {
      const ch = text.charCodeAt(i);
      let c = 0;
      if (ch < 128) c = code[ch] as number;
      else {
        pages |= page[ch >>> 8] as number;
        if (ch === 0x130 || ch === 0x212a) hazard = true;
      }
      h = ((h << 6) | c) & MASK;
      const b = head[h] as number;
      if (b !== 0) {
        hitAt[hits] = i - 2;
        hitBucket[hits] = b - 1;
        if (++hits === HIT_BUFFER) {
          distinct += this.confirm(text, hits, found);
          hits = 0;
        }
      }
    }
    // Padding code 0 after the text: a 2-character literal can end the text.
    const b = head[(h << 6) & MASK] as number;
    if (b !== 0) {
      hitAt[hits] = n - 2;
      hitBucket[hits] = b - 1;
      hits++;
    }
    if (hits > 0) distinct += this.confirm(text, hits, found);
    this.pages = pages;
    this.foldHazard = hazard;
    return distinct;
  }

  /** Marks the literals of the first `hits` buffered candidates that really occur (their first three codes agree). */
  private confirm(text: string, hits: number, found: Uint8Array): number {
    let k = 0;
    for (let j = 0; j < hits; j++) {
      const s = this.hitAt[j] as number;
      for (const id of this.buckets[this.hitBucket[j] as number] as readonly number[]) {
        if (found[id] === 1) continue;
        const len = this.lens[id] as number;
        if (s >= 0 && s + len <= text.length && (len <= 3 || matchesAt(text, s, this.literals[id] as string))) {
          found[id] = 1;
          k++;
        }
      }
    }
    return k;
  }
}

/** `literal` (lowercase ASCII) occurs at `at` in `text`, ASCII case-insensitively (its first three characters already agree). */
function matchesAt(text: string, at: number, literal: string): boolean {
  for (let k = 3; k < literal.length; k++) {
    let ch = text.charCodeAt(at + k);
    if (ch >= 0x41 && ch <= 0x5a) ch |= 0x20;
    if (ch !== literal.charCodeAt(k)) return false;
  }
  return true;
}
