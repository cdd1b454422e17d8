/**
 * The byte-level fast path of the record digest: the RFC 8785 canonical UTF-8 of the usual JSONL
 * record, produced straight from the line's bytes, without decoding the line into a string or
 * building the canonical text as one (which cost more than hashing it).
 *
 * It handles what json-record.ts verbatimCanonical handles, on bytes: a top-level object whose
 * member names are plain ASCII without escapes, whose member values are already canonical as
 * written (no whitespace, canonical strings, integers of at most 15 characters, nested objects
 * with strictly increasing ASCII names), or top-level string values spelled with escapes RFC 8785
 * does not use (`\u2019` for a raw ’, `\/`), which are re-spelled here. Members are put in
 * §3.2.3 order (for ASCII names, byte order is UTF-16 code unit order) and whitespace between the
 * top-level tokens is dropped. It validates everything it accepts and answers undefined for
 * anything else (invalid JSON, duplicate names, floats, surrogate escapes, a byte order mark...),
 * which then takes the string path (canonicalRecordText): never laxer, only faster.
 *
 * The bytes must be valid UTF-8 (the line readers check each block first): then the canonical
 * text's UTF-8 is exactly these bytes, reordered, with re-spelled escapes.
 */

/** Nesting beyond which the fast path hands over (as json-record.ts FAST_MAX_DEPTH). */
const MAX_DEPTH = 64;

/** Output buffer of the last reordered record (grown as needed). */
let out = new Uint8Array(1 << 16);
/** Per top-level member: name start (its quote), name end (after its quote), value start, value end, re-spell flag. */
let spans = new Int32Array(80);
let order = new Int32Array(16);
/** Set by scanString when a valid string is spelled otherwise than RFC 8785 would. */
let respell = false;
const EMPTY_OBJECT = new Uint8Array([0x7b, 0x7d]);

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Value of the four hex digits at b[i, i + 4) (all before `end`), or -1. */
function hex4(b: Uint8Array, i: number, end: number): number {
  if (i + 4 > end) return -1;
  const h0 = hexValue(b[i] as number);
  const h1 = hexValue(b[i + 1] as number);
  const h2 = hexValue(b[i + 2] as number);
  const h3 = hexValue(b[i + 3] as number);
  if (h0 < 0 || h1 < 0 || h2 < 0 || h3 < 0) return -1;
  return (h0 << 12) | (h1 << 8) | (h2 << 4) | h3;
}

/**
 * Block state: `clean` when the block holds no byte below 0x20 other than '\n' (so strings need
 * no per-byte control check), and the next quote and backslash found at or after a search start
 * (Buffer#indexOf is memchr, but it searches to the end of the block: caching the answer keeps a
 * block without backslashes from being searched again for every string).
 */
let block: Uint8Array | undefined;
let clean = false;
let quoteFrom = 0;
let quoteAt = -1;
let slashFrom = 0;
let slashAt = -1;

/** First '"' at or after `j` in the current block, or -1. */
function nextQuote(b: Buffer, j: number): number {
  if (j < quoteFrom || (quoteAt !== -1 && quoteAt < j)) {
    quoteFrom = j;
    quoteAt = b.indexOf(0x22, j);
  }
  return quoteAt;
}

/** First '\\' at or after `j` in the current block, or -1. */
function nextSlash(b: Buffer, j: number): number {
  if (j < slashFrom || (slashAt !== -1 && slashAt < j)) {
    slashFrom = j;
    slashAt = b.indexOf(0x5c, j);
  }
  return slashAt;
}

/**
 * True when b[0, length) holds no byte below 0x20 other than '\n' (0x0a). Four bytes at a time:
 * ((x - 0x20202020) & ~x & 0x80808080) is non-zero exactly when some byte of the 32-bit word x is
 * below 0x20. Eight words are tested with one branch; a group that holds a control byte (usually
 * a '\n') is then checked byte by byte.
 */
function controlFree(b: Uint8Array): boolean {
  // Bytes before the first 4-byte boundary of the underlying buffer, then whole words, then the tail.
  const head = Math.min(b.length, (4 - (b.byteOffset % 4)) % 4);
  if (!bytesControlFree(b, 0, head)) return false;
  // A block shorter than the distance to the boundary has no whole word (and the view below
  // would start off the boundary).
  if (head === b.length) return true;
  const w = new Int32Array(b.buffer, b.byteOffset + head, (b.length - head) >>> 2);
  const groups = w.length & ~7;
  for (let k = 0; k < groups; k += 8) {
    let x = w[k] as number;
    let t = ((x - 0x20202020) | 0) & ~x;
    x = w[k + 1] as number;
    t |= ((x - 0x20202020) | 0) & ~x;
    x = w[k + 2] as number;
    t |= ((x - 0x20202020) | 0) & ~x;
    x = w[k + 3] as number;
    t |= ((x - 0x20202020) | 0) & ~x;
    x = w[k + 4] as number;
    t |= ((x - 0x20202020) | 0) & ~x;
    x = w[k + 5] as number;
    t |= ((x - 0x20202020) | 0) & ~x;
    x = w[k + 6] as number;
    t |= ((x - 0x20202020) | 0) & ~x;
    x = w[k + 7] as number;
    t |= ((x - 0x20202020) | 0) & ~x;
    if ((t & HIGH_BITS) !== 0 && !bytesControlFree(b, head + k * 4, head + k * 4 + 32)) return false;
  }
  return bytesControlFree(b, head + groups * 4, b.length);
}

const HIGH_BITS = 0x80808080 | 0;

function bytesControlFree(b: Uint8Array, from: number, to: number): boolean {
  for (let q = from; q < to; q++) if ((b[q] as number) < 0x20 && b[q] !== 0x0a) return false;
  return true;
}

/**
 * Scans the string token at `i` (a '"') within [i, end), in a control-free block, with memchr
 * for quotes and backslashes: same answers as scanString.
 */
function scanStringClean(b: Buffer, i: number, end: number, name: boolean): number {
  let q = nextQuote(b, i + 1);
  if (q === -1 || q >= end) return -1;
  if (name) {
    for (let j = i + 1; j < q; j++) if ((b[j] as number) >= 0x80 || b[j] === 0x5c) return -1;
    return q + 1;
  }
  let j = nextSlash(b, i + 1);
  while (j !== -1 && j < q) {
    if (j + 1 >= end) return -1;
    const e = b[j + 1] as number;
    let k: number;
    if (e === 0x75) {
      const v = hex4(b, j + 2, end);
      if (v < 0 || (v >= 0xd800 && v <= 0xdfff)) return -1;
      const h3 = b[j + 5] as number;
      if (!(v < 0x20 && v !== 8 && v !== 9 && v !== 10 && v !== 12 && v !== 13 && !(h3 >= 0x41 && h3 <= 0x46))) respell = true;
      k = j + 6;
    } else if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
      k = j + 2;
    } else if (e === 0x2f) {
      respell = true;
      k = j + 2;
    } else {
      return -1;
    }
    if (k > q) {
      q = nextQuote(b, k);
      if (q === -1 || q >= end) return -1;
    }
    j = nextSlash(b, k);
  }
  return q + 1;
}

/**
 * Scans the string token at `i` (a '"') within [i, end): the index after its closing quote, or
 * -1 when it is not a valid JSON string this path handles. A name (`name`) must be plain
 * printable ASCII without escapes. Sets `respell` when a valid value string is not spelled as
 * RFC 8785 §3.2.2.2 writes it (only \" \\ \b \f \n \r \t, lowercase \u00xx for other controls,
 * everything else raw). Escapes of UTF-16 surrogates are refused (the strict path checks pairs).
 */
function scanString(b: Uint8Array, i: number, end: number, name: boolean): number {
  if (clean) return scanStringClean(b as Buffer, i, end, name);
  let j = i + 1;
  while (j < end) {
    const c = b[j] as number;
    if (c === 0x22) return j + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c) {
      if (name || j + 1 >= end) return -1;
      const e = b[j + 1] as number;
      if (e === 0x75) {
        const v = hex4(b, j + 2, end);
        if (v < 0 || (v >= 0xd800 && v <= 0xdfff)) return -1;
        // Canonical only for a control character without a short escape, in lowercase hex.
        const h3 = b[j + 5] as number;
        if (!(v < 0x20 && v !== 8 && v !== 9 && v !== 10 && v !== 12 && v !== 13 && !(h3 >= 0x41 && h3 <= 0x46))) respell = true;
        j += 6;
      } else if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        j += 2;
      } else if (e === 0x2f) {
        respell = true; // \/ is valid JSON but RFC 8785 writes a plain '/'
        j += 2;
      } else {
        return -1;
      }
      continue;
    }
    if (name && c >= 0x80) return -1;
    j++;
  }
  return -1;
}

/** Compares b[a0, a1) and b[c0, c1) bytewise. */
function compareBytes(b: Uint8Array, a0: number, a1: number, c0: number, c1: number): number {
  const n = Math.min(a1 - a0, c1 - c0);
  for (let k = 0; k < n; k++) {
    const d = (b[a0 + k] as number) - (b[c0 + k] as number);
    if (d !== 0) return d;
  }
  return a1 - a0 - (c1 - c0);
}

function matches(b: Uint8Array, i: number, end: number, word: readonly number[]): boolean {
  if (i + word.length > end) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
}
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/**
 * End of the valid JSON value at `i` (before `end`) when its text is already canonical as written
 * (see the module comment), else -1.
 */
function verbatimEnd(b: Uint8Array, i: number, end: number, depth: number): number {
  if (i >= end) return -1;
  const c = b[i] as number;
  if (c === 0x22) {
    respell = false;
    const e = scanString(b, i, end, false);
    return respell ? -1 : e;
  }
  if (c === 0x7b) {
    if (depth >= MAX_DEPTH) return -1;
    i++;
    if (i < end && b[i] === 0x7d) return i + 1;
    let p0 = -1;
    let p1 = -1;
    for (;;) {
      if (i >= end || b[i] !== 0x22) return -1;
      const ke = scanString(b, i, end, true);
      if (ke < 0 || (p0 >= 0 && compareBytes(b, p0, p1, i + 1, ke - 1) >= 0)) return -1;
      p0 = i + 1;
      p1 = ke - 1;
      if (ke >= end || b[ke] !== 0x3a) return -1;
      i = verbatimEnd(b, ke + 1, end, depth + 1);
      if (i < 0 || i >= end) return -1;
      const d = b[i++] as number;
      if (d === 0x7d) return i;
      if (d !== 0x2c) return -1;
    }
  }
  if (c === 0x5b) {
    if (depth >= MAX_DEPTH) return -1;
    i++;
    if (i < end && b[i] === 0x5d) return i + 1;
    for (;;) {
      i = verbatimEnd(b, i, end, depth + 1);
      if (i < 0 || i >= end) return -1;
      const d = b[i++] as number;
      if (d === 0x5d) return i;
      if (d !== 0x2c) return -1;
    }
  }
  if (c === 0x74) return matches(b, i, end, TRUE) ? i + 4 : -1;
  if (c === 0x66) return matches(b, i, end, FALSE) ? i + 5 : -1;
  if (c === 0x6e) return matches(b, i, end, NULL) ? i + 4 : -1;
  // An integer literal of at most 15 characters other than -0 (safe, and in ECMAScript form):
  // -?(0|[1-9][0-9]*) not followed by '.', 'e', 'E' or a digit.
  const start = i;
  if (c === 0x2d) i++;
  const f = i < end ? (b[i] as number) : -1;
  if (f === 0x30) i++;
  else if (f >= 0x31 && f <= 0x39) {
    i++;
    while (i < end && (b[i] as number) >= 0x30 && (b[i] as number) <= 0x39) i++;
  } else return -1;
  const t = i < end ? (b[i] as number) : -1;
  if (t === 0x2e || t === 0x65 || t === 0x45 || (t >= 0x30 && t <= 0x39)) return -1;
  if (i - start > 15 || (c === 0x2d && f === 0x30)) return -1;
  return i;
}

function skipWs(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i] as number;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
    i++;
  }
  return i;
}

function hexDigit(v: number): number {
  return v < 10 ? 0x30 + v : 0x57 + v;
}

/** Writes the string token b[i, e) (valid, as scanString accepted it) re-spelled as RFC 8785 does; returns the new output length. */
function respellString(b: Uint8Array, i: number, e: number, o: number): number {
  const w = out;
  w[o++] = 0x22;
  let j = i + 1;
  const last = e - 1;
  while (j < last) {
    const c = b[j] as number;
    if (c !== 0x5c) {
      w[o++] = c;
      j++;
      continue;
    }
    const x = b[j + 1] as number;
    if (x === 0x2f) {
      w[o++] = 0x2f;
      j += 2;
      continue;
    }
    if (x !== 0x75) {
      w[o++] = 0x5c;
      w[o++] = x;
      j += 2;
      continue;
    }
    const v = hex4(b, j + 2, last);
    j += 6;
    if (v === 0x22 || v === 0x5c) {
      w[o++] = 0x5c;
      w[o++] = v;
    } else if (v < 0x20) {
      w[o++] = 0x5c;
      const short = v === 8 ? 0x62 : v === 9 ? 0x74 : v === 10 ? 0x6e : v === 12 ? 0x66 : v === 13 ? 0x72 : 0;
      if (short !== 0) w[o++] = short;
      else {
        w[o++] = 0x75;
        w[o++] = 0x30;
        w[o++] = 0x30;
        w[o++] = hexDigit(v >> 4);
        w[o++] = hexDigit(v & 15);
      }
    } else if (v < 0x80) {
      w[o++] = v;
    } else if (v < 0x800) {
      w[o++] = 0xc0 | (v >> 6);
      w[o++] = 0x80 | (v & 0x3f);
    } else {
      w[o++] = 0xe0 | (v >> 12);
      w[o++] = 0x80 | ((v >> 6) & 0x3f);
      w[o++] = 0x80 | (v & 0x3f);
    }
  }
  w[o++] = 0x22;
  return o;
}

/**
 * Starts a new block of lines for canonicalJsonBytes (which keeps per-block search state keyed by
 * the Buffer object): call it whenever a Buffer's bytes may have changed since the last call.
 */
export function beginBlock(b: Buffer): void {
  block = b;
  clean = controlFree(b);
  quoteFrom = slashFrom = b.length + 1;
  quoteAt = slashAt = -1;
}

/**
 * The RFC 8785 canonical UTF-8 of the JSON record in b[start, end) (one line, valid UTF-8), or
 * undefined when this path does not handle it (then use canonicalRecordText, which also raises
 * the precise error for bad input). The result is a view of `b` or of a buffer reused by the
 * next call: consume it before calling again.
 */
export function canonicalJsonBytes(b: Buffer, start: number, end: number): Uint8Array | undefined {
  if (b !== block) beginBlock(b);
  let i = skipWs(b, start, end);
  if (i >= end || b[i] !== 0x7b) return undefined;
  const whole = verbatimEnd(b, i, end, 0);
  if (whole >= 0) return skipWs(b, whole, end) === end ? b.subarray(i, whole) : undefined;
  i = skipWs(b, i + 1, end);
  if (i < end && b[i] === 0x7d) return skipWs(b, i + 1, end) === end ? EMPTY_OBJECT : undefined;
  let n = 0;
  for (;;) {
    if (i >= end || b[i] !== 0x22) return undefined;
    const ke = scanString(b, i, end, true);
    if (ke < 0) return undefined;
    const colon = skipWs(b, ke, end);
    if (colon >= end || b[colon] !== 0x3a) return undefined;
    const vs = skipWs(b, colon + 1, end);
    let ve = verbatimEnd(b, vs, end, 1);
    let again = 0;
    if (ve < 0) {
      // A string spelled with escapes RFC 8785 does not use: re-spelled when written out.
      if (vs >= end || b[vs] !== 0x22) return undefined;
      respell = false;
      ve = scanString(b, vs, end, false);
      if (ve < 0 || !respell) return undefined;
      again = 1;
    }
    if (n * 5 + 5 > spans.length) {
      const g = new Int32Array(spans.length * 2);
      g.set(spans);
      spans = g;
    }
    const s = n * 5;
    spans[s] = i;
    spans[s + 1] = ke;
    spans[s + 2] = vs;
    spans[s + 3] = ve;
    spans[s + 4] = again;
    n++;
    i = skipWs(b, ve, end);
    if (i >= end) return undefined;
    const d = b[i] as number;
    if (d === 0x7d) {
      if (skipWs(b, i + 1, end) !== end) return undefined;
      break;
    }
    if (d !== 0x2c) return undefined;
    i = skipWs(b, i + 1, end);
  }
  if (order.length < n) order = new Int32Array(n * 2);
  // Insertion sort of member indices by name (records have few members); equal names are
  // duplicates, which the string path reports.
  for (let j = 0; j < n; j++) {
    const a0 = (spans[j * 5] as number) + 1;
    const a1 = (spans[j * 5 + 1] as number) - 1;
    let k = j - 1;
    for (; k >= 0; k--) {
      const m = (order[k] as number) * 5;
      const cmp = compareBytes(b, (spans[m] as number) + 1, (spans[m + 1] as number) - 1, a0, a1);
      if (cmp === 0) return undefined;
      if (cmp < 0) break;
      order[k + 1] = order[k] as number;
    }
    order[k + 1] = j;
  }
  // The canonical form is never longer than the line: whitespace is dropped, re-spelling shortens.
  if (out.length < end - start + 2) out = new Uint8Array(Math.max(out.length * 2, end - start + 2));
  const w = out;
  let o = 0;
  w[o++] = 0x7b;
  for (let j = 0; j < n; j++) {
    const m = (order[j] as number) * 5;
    if (j > 0) w[o++] = 0x2c;
    for (let k = spans[m] as number, ke = spans[m + 1] as number; k < ke; k++) w[o++] = b[k] as number;
    w[o++] = 0x3a;
    const vs = spans[m + 2] as number;
    const ve = spans[m + 3] as number;
    if (spans[m + 4] === 1) o = respellString(b, vs, ve, o);
    else if (ve - vs > 32) {
      w.set(b.subarray(vs, ve), o);
      o += ve - vs;
    } else for (let k = vs; k < ve; k++) w[o++] = b[k] as number;
  }
  w[o++] = 0x7d;
  return w.subarray(0, o);
}
