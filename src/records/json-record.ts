/**
 * Strict parsing of one JSON record (a JSONL line or a JSON-array element) into its value and its
 * RFC 8785 canonical text. Same rules as core's parseStrictJson (duplicate keys, lone surrogates,
 * depth), plus two rules for record identity:
 *  - an integer literal that is not a safe integer (|n| > 2^53 - 1) is refused: JSON.parse would
 *    round it, and two different records would share one digest (RECORD_UNSAFE_INTEGER);
 *  - a number that overflows to ±Infinity (e.g. 1e400) is refused (RECORD_NUMBER_RANGE).
 *
 * Fast path (the hot loop of `seal`): JSON.parse, then one walk over the value that checks numbers
 * and puts every object's keys in RFC 8785 §3.2.3 order. JSON.stringify of that value is then the
 * canonical text (same number and string serialization as JCS §3.2.2).
 * Duplicate keys are detected by counting ':' in the source and in the canonical text: without
 * \u escapes the two counts are equal exactly when JSON.parse dropped no member. Lines with a
 * \u escape that could hide a ':' or a surrogate go through core's full strict parser instead.
 */
import { canonicalize, parseStrictJson, type SourceLocation } from '../core/index.js';
import { fromJsonError, recordError, type RecordError } from './errors.js';

const MAX_DEPTH = 512;
const RISKY_ESCAPE = /\\u(?:003[aA]|[dD][89a-fA-F])/;

export interface ParsedRecord {
  readonly value: unknown;
  /** RFC 8785 canonical JSON text of `value`. */
  readonly canonical: string;
}

export interface ParseRecordOptions {
  /**
   * `canonical` (default): objects of the value enumerate their keys in RFC 8785 order, so the
   * canonical text is one JSON.stringify away (what sealing wants). `source`: keys stay in the
   * order of the text and no object is rebuilt (readers whose callers want the value as written).
   */
  readonly keyOrder?: 'canonical' | 'source';
}

/** Parses one JSON record strictly; throws RECORD_* errors located at `location`. */
export function parseJsonRecord(text: string, location: SourceLocation, options: ParseRecordOptions = {}): ParsedRecord {
  let value: unknown;
  const risky = text.includes('\\u') && RISKY_ESCAPE.test(text);
  try {
    value = risky ? parseStrictJson(text, { location, maxDepth: MAX_DEPTH }) : JSON.parse(text);
  } catch (err) {
    if (isBlank(text)) {
      throw recordError('RECORD_BLANK_LINE', 'blank line inside the data; remove it (blank lines would shift record numbering)', location);
    }
    throw strictFailure(text, location) ?? fromJsonError(err, location);
  }
  const walk = { sorted: true, bad: false, colons: 0, reorder: options.keyOrder !== 'source' };
  value = normalize(value, 0, walk);
  if (walk.bad) {
    // Too deep, non-finite or possibly unsafe number: find exactly what and where (a large
    // float such as 1e300 is integral yet fine, so this may find nothing).
    const problem = strictFailure(text, location) ?? numberProblem(text, location);
    if (problem) throw problem;
    // The walk may have stopped early: count on the canonical text itself.
    walk.colons = countColons(new Parsed(value, walk.sorted, location).canonical);
  }
  // The walk counted the ':' the canonical text would hold (one per member, plus those inside
  // names and strings): without \u escapes it equals the source's count exactly when JSON.parse
  // dropped no member.
  if (!risky && countColons(text) !== walk.colons) {
    // JSON.parse silently merged a duplicate member: let the strict parser name it.
    throw strictFailure(text, location) ?? recordError('RECORD_JSON_DUPLICATE_KEY', 'duplicate object key', location);
  }
  return new Parsed(value, walk.sorted, location);
}

/** A parsed record whose canonical text is built on first use (inspection never needs it). */
class Parsed implements ParsedRecord {
  private text: string | undefined;
  constructor(
    readonly value: unknown,
    private readonly sorted: boolean,
    private readonly location: SourceLocation,
  ) {}

  get canonical(): string {
    if (this.text === undefined) {
      try {
        this.text = this.sorted ? JSON.stringify(this.value) : canonicalize(this.value);
      } catch (err) {
        throw fromJsonError(err, this.location);
      }
    }
    return this.text;
  }
}

/** Runs core's strict parser to produce a precise coded error; undefined if it accepts the text. */
function strictFailure(text: string, location: SourceLocation): RecordError | undefined {
  try {
    parseStrictJson(text, { location, maxDepth: MAX_DEPTH });
  } catch (err) {
    return fromJsonError(err, location);
  }
  return undefined;
}

function isBlank(text: string): boolean {
  return /^[ \t\r\n]*$/.test(text);
}

function countColons(s: string): number {
  if (s.indexOf(':') === -1) return 0;
  let n = 0;
  for (let i = s.indexOf(':'); i !== -1; i = s.indexOf(':', i + 1)) n++;
  return n;
}

/**
 * One pass over a parsed value: checks depth and numbers (setting flags instead of throwing) and
 * returns a value whose objects enumerate their keys in RFC 8785 §3.2.3 order, rebuilding only
 * objects whose keys are out of order. Keys that look like array indices enumerate first in
 * numeric order whatever the insertion order, so such objects clear `sorted` (use canonicalize).
 */
function normalize(v: unknown, depth: number, st: { sorted: boolean; bad: boolean; colons: number; readonly reorder: boolean }): unknown {
  if (typeof v === 'string') {
    st.colons += countColons(v);
    return v;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || (Math.abs(v) > Number.MAX_SAFE_INTEGER && Number.isInteger(v))) st.bad = true;
    return v;
  }
  if (typeof v !== 'object' || v === null) return v;
  if (depth >= MAX_DEPTH) {
    st.bad = true;
    return v;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      const y = normalize(x, depth + 1, st);
      if (y !== x) v[i] = y;
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  st.colons += keys.length;
  let inOrder = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const c = k.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) st.sorted = false;
    if (i > 0 && !((keys[i - 1] as string) < k)) inOrder = false;
    st.colons += countColons(k);
    const x = o[k];
    const y = normalize(x, depth + 1, st);
    if (y !== x) o[k] = y;
  }
  if (inOrder) return o;
  if (!st.reorder) {
    // Keys stay as written: the canonical text, if ever asked for, goes through canonicalize.
    st.sorted = false;
    return o;
  }
  keys.sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) Object.defineProperty(out, k, { value: o[k], enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * Locates the first offending number literal in well-formed JSON text, with its JSON path: an
 * integer literal beyond ±(2^53 - 1), or a literal that overflows to ±Infinity.
 */
function numberProblem(text: string, location: SourceLocation): RecordError | undefined {
  type Frame = { kind: 'o'; key: string; expectKey: boolean } | { kind: 'a'; index: number };
  const stack: Frame[] = [];
  const pathOf = (): string => {
    let p = '$';
    for (const f of stack) p += f.kind === 'a' ? `[${f.index}]` : /^[A-Za-z_$][\w$]*$/.test(f.key) ? `.${f.key}` : `[${JSON.stringify(f.key)}]`;
    return p;
  };
  const numberRe = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{') stack.push({ kind: 'o', key: '', expectKey: true });
    else if (c === '[') stack.push({ kind: 'a', index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      if (top?.kind === 'a') top.index++;
      else if (top?.kind === 'o') top.expectKey = true;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.kind === 'o' && top.expectKey) {
        top.key = JSON.parse(text.slice(i, j + 1)) as string;
        top.expectKey = false;
      }
      i = j;
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      numberRe.lastIndex = i;
      const m = numberRe.exec(text);
      const lit = m ? m[0] : c;
      const n = Number(lit);
      const loc = { ...location, path: pathOf() };
      if (!Number.isFinite(n)) {
        return recordError('RECORD_NUMBER_RANGE', `number ${lit.slice(0, 40)} is out of the IEEE 754 double range; store it as a string`, loc);
      }
      if (!/[.eE]/.test(lit) && !Number.isSafeInteger(n)) {
        return recordError(
          'RECORD_UNSAFE_INTEGER',
          `integer ${lit.slice(0, 40)} is beyond ±(2^53-1) and would lose precision; quote it as a string in the data`,
          loc,
        );
      }
      i += lit.length - 1;
    }
  }
  return undefined;
}

/** Nesting beyond which the fast path hands over to parseJsonRecord (which enforces MAX_DEPTH). */
const FAST_MAX_DEPTH = 64;

/**
 * The RFC 8785 canonical text of one JSON record, for the digest hot path: the same result and
 * the same errors as parseJsonRecord(text, location).canonical, but without building a JS value
 * to re-serialize. The usual record (an object whose values are already spelled canonically) is
 * validated and copied in one scan (verbatimCanonical); otherwise JSON.parse checks the grammar
 * and a scanner copies every string and number token that is already in canonical form
 * (RFC 8785 §3.2.2.2: only \" \\ \b \f \n \r \t and lowercase \u00xx for other controls)
 * straight from the text and puts members in §3.2.3 order.
 * Anything unusual (a duplicate key, an unsafe or huge number, deep nesting, escapes that could be
 * a surrogate or a hidden ':') goes through parseJsonRecord, which raises the precise error.
 * `text` must come from valid UTF-8 (no lone surrogates), as every line reader guarantees.
 */
export function canonicalRecordText(text: string, location: SourceLocation): string {
  if (!(text.includes('\\u') && RISKY_ESCAPE.test(text))) {
    const quick = verbatimCanonical(text);
    if (quick !== undefined) return quick;
    let ok = true;
    try {
      JSON.parse(text);
    } catch {
      ok = false;
    }
    if (ok) {
      const out = new FastCanonical(text).document();
      if (out !== undefined) return out;
    }
  }
  return parseJsonRecord(text, location).canonical;
}

/*
 * verbatimCanonical validates as it copies: it accepts only a subset of RFC 8259 JSON that it
 * checks completely (no control characters anywhere, valid escapes, integer literals, exact
 * literals, separators and nothing after the top-level value) and answers undefined for
 * everything else, which then takes the JSON.parse path above: never laxer, only faster.
 */

/** Member spans of the top-level object (key start/end without quotes, value start/end), reused. */
let spans = new Int32Array(64);
let order = new Int32Array(16);
/** Re-serialized member values by member index (sparse; emptied after each record). */
const respelled: string[] = [];
/** Any C0 control character: outside strings only whitespace, inside strings never valid raw. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f]/;
/** String status from scanString: valid and canonical (end > 0), valid but respelt, or not handled. */
const STRING_RESPELL = -1;
const STRING_FAIL = -2;
/** End of the string scanned last (also when STRING_RESPELL). */
let stringEndAt = 0;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(s: string, i: number): number {
  while (isWs(s.charCodeAt(i))) i++;
  return i;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/**
 * Scans the string token at `start` (a '"'), in text without control characters: its end (after
 * the closing quote) when every escape is valid and as RFC 8785 §3.2.2.2 spells it, STRING_RESPELL
 * when valid but spelled otherwise (end in stringEndAt), STRING_FAIL when not a valid string or
 * (with `noEscapes`, for member names) when it holds any escape.
 */
function scanString(s: string, start: number, noEscapes: boolean): number {
  let canonical = true;
  let q = s.indexOf('"', start + 1);
  let b = s.indexOf('\\', start + 1);
  while (b !== -1 && b < q) {
    if (noEscapes) return STRING_FAIL;
    let k: number;
    const e = s.charCodeAt(b + 1);
    if (e === 0x75) {
      const h0 = s.charCodeAt(b + 2);
      const h1 = s.charCodeAt(b + 3);
      const h2 = s.charCodeAt(b + 4);
      const h3 = s.charCodeAt(b + 5);
      if (!(isHex(h0) && isHex(h1) && isHex(h2) && isHex(h3))) return STRING_FAIL;
      // \u00xx is canonical only for a control character without a short escape, in lowercase.
      const low = h3 >= 0x30 && h3 <= 0x39 ? h3 - 0x30 : h3 >= 0x61 && h3 <= 0x66 ? h3 - 0x57 : -1;
      const v = h2 === 0x30 ? low : h2 === 0x31 && low >= 0 ? 16 + low : -1;
      if (!(h0 === 0x30 && h1 === 0x30 && v >= 0 && v !== 8 && v !== 9 && v !== 10 && v !== 12 && v !== 13)) canonical = false;
      k = b + 6;
    } else if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
      k = b + 2;
    } else if (e === 0x2f) {
      canonical = false; // \/ is valid JSON but RFC 8785 writes a plain '/'
      k = b + 2;
    } else {
      return STRING_FAIL;
    }
    if (k > q) q = s.indexOf('"', k);
    b = s.indexOf('\\', k);
  }
  if (q === -1) return STRING_FAIL;
  stringEndAt = q + 1;
  return canonical ? q + 1 : STRING_RESPELL;
}

/** Compares s[a0, a1) and s[b0, b1) by UTF-16 code units (RFC 8785 §3.2.3 member order). */
function compareSpans(s: string, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let k = 0; k < n; k++) {
    const d = s.charCodeAt(a0 + k) - s.charCodeAt(b0 + k);
    if (d !== 0) return d;
  }
  return a1 - a0 - (b1 - b0);
}

/**
 * End of the valid JSON value at `i` when its text is already canonical as written (no
 * whitespace, canonical strings, integers of at most 15 characters, object members named
 * without escapes in strictly increasing order, hence unique), else -1.
 */
function verbatimEnd(s: string, i: number, depth: number): number {
  const c = s.charCodeAt(i);
  if (c === 0x22) {
    const end = scanString(s, i, false);
    return end > 0 ? end : -1;
  }
  if (c === 0x7b) {
    if (depth >= FAST_MAX_DEPTH) return -1;
    i++;
    if (s.charCodeAt(i) === 0x7d) return i + 1;
    let p0 = -1;
    let p1 = -1;
    for (;;) {
      if (s.charCodeAt(i) !== 0x22) return -1;
      const ke = scanString(s, i, true);
      if (ke < 0 || (p0 >= 0 && compareSpans(s, p0, p1, i + 1, ke - 1) >= 0)) return -1;
      p0 = i + 1;
      p1 = ke - 1;
      if (s.charCodeAt(ke) !== 0x3a) return -1;
      i = verbatimEnd(s, ke + 1, depth + 1);
      if (i < 0) return -1;
      const d = s.charCodeAt(i++);
      if (d === 0x7d) return i;
      if (d !== 0x2c) return -1;
    }
  }
  if (c === 0x5b) {
    if (depth >= FAST_MAX_DEPTH) return -1;
    i++;
    if (s.charCodeAt(i) === 0x5d) return i + 1;
    for (;;) {
      i = verbatimEnd(s, i, depth + 1);
      if (i < 0) return -1;
      const d = s.charCodeAt(i++);
      if (d === 0x5d) return i;
      if (d !== 0x2c) return -1;
    }
  }
  if (c === 0x74) return s.startsWith('true', i) ? i + 4 : -1;
  if (c === 0x66) return s.startsWith('false', i) ? i + 5 : -1;
  if (c === 0x6e) return s.startsWith('null', i) ? i + 4 : -1;
  // A number, handled here only as an integer literal of at most 15 characters other than -0
  // (safe, and already in ECMAScript form): -?(0|[1-9][0-9]*) not followed by '.', 'e' or a digit.
  const start = i;
  if (c === 0x2d) i++;
  const f = s.charCodeAt(i);
  if (f === 0x30) i++;
  else if (f >= 0x31 && f <= 0x39) {
    i++;
    for (let d = s.charCodeAt(i); d >= 0x30 && d <= 0x39; d = s.charCodeAt(i)) i++;
  } else return -1;
  const t = s.charCodeAt(i);
  if (t === 0x2e || t === 0x65 || t === 0x45 || (t >= 0x30 && t <= 0x39)) return -1;
  const len = i - start;
  if (len > 15 || (c === 0x2d && f === 0x30)) return -1;
  return i;
}

/**
 * The canonical text of the usual record, an object whose member values are all already
 * canonical as written (or strings that only need re-spelling), copied as slices of `text`:
 * members reordered, whitespace between the top-level tokens dropped. Validates everything it
 * accepts; undefined hands the record to the JSON.parse path (anything else, including invalid
 * text and duplicate names, which that path reports precisely).
 */
function verbatimCanonical(s: string): string | undefined {
  if (CONTROL.test(s)) return undefined;
  let i = skipWs(s, 0);
  if (s.charCodeAt(i) !== 0x7b) return undefined;
  const whole = verbatimEnd(s, i, 0);
  if (whole >= 0) {
    if (skipWs(s, whole) !== s.length) return undefined;
    return i === 0 && whole === s.length ? s : s.slice(i, whole);
  }
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === 0x7d) return skipWs(s, i + 1) === s.length ? '{}' : undefined;
  let n = 0;
  try {
    for (;;) {
      if (s.charCodeAt(i) !== 0x22) return undefined;
      const ke = scanString(s, i, true);
      if (ke < 0) return undefined;
      const colon = skipWs(s, ke);
      if (s.charCodeAt(colon) !== 0x3a) return undefined;
      const vs = skipWs(s, colon + 1);
      let ve = verbatimEnd(s, vs, 1);
      if (ve < 0) {
        // A string spelled with escapes RFC 8785 does not use (e.g. \u2019 for a raw ’): re-serialize it.
        if (s.charCodeAt(vs) !== 0x22 || scanString(s, vs, false) !== STRING_RESPELL) return undefined;
        ve = stringEndAt;
        respelled[n] = JSON.stringify(JSON.parse(s.slice(vs, ve)) as string);
      }
      if (n * 4 + 4 > spans.length) {
        const g = new Int32Array(spans.length * 2);
        g.set(spans);
        spans = g;
      }
      spans[n * 4] = i + 1;
      spans[n * 4 + 1] = ke - 1;
      spans[n * 4 + 2] = vs;
      spans[n * 4 + 3] = ve;
      n++;
      i = skipWs(s, ve);
      const d = s.charCodeAt(i);
      if (d === 0x7d) {
        if (skipWs(s, i + 1) !== s.length) return undefined;
        break;
      }
      if (d !== 0x2c) return undefined;
      i = skipWs(s, i + 1);
    }
    if (order.length < n) order = new Int32Array(n * 2);
    // Insertion sort of member indices by name (records have few members); equal names are
    // duplicates, which the strict path reports.
    for (let j = 0; j < n; j++) {
      let k = j - 1;
      const a0 = spans[j * 4] as number;
      const a1 = spans[j * 4 + 1] as number;
      for (; k >= 0; k--) {
        const m = order[k] as number;
        const cmp = compareSpans(s, spans[m * 4] as number, spans[m * 4 + 1] as number, a0, a1);
        if (cmp === 0) return undefined;
        if (cmp < 0) break;
        order[k + 1] = m;
      }
      order[k + 1] = j;
    }
    let out = '{';
    for (let j = 0; j < n; j++) {
      const m = order[j] as number;
      const k0 = spans[m * 4] as number;
      const v = respelled[m] ?? s.slice(spans[m * 4 + 2] as number, spans[m * 4 + 3] as number);
      out += `${j > 0 ? ',' : ''}${s.slice(k0 - 1, (spans[m * 4 + 1] as number) + 1)}:${v}`;
    }
    return out + '}';
  } catch {
    return undefined;
  } finally {
    if (respelled.length > 0) respelled.length = 0;
  }
}

/** Scanner over text that JSON.parse accepted; returns undefined to ask for the slow path. */
class FastCanonical {
  private i = 0;
  constructor(private readonly s: string) {}

  document(): string | undefined {
    return this.value(0);
  }

  private ws(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else return;
    }
  }

  private value(depth: number): string | undefined {
    this.ws();
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === 0x22) return this.string();
    if (c === 0x7b) return depth >= FAST_MAX_DEPTH ? undefined : this.object(depth + 1);
    if (c === 0x5b) return depth >= FAST_MAX_DEPTH ? undefined : this.array(depth + 1);
    if (c === 0x74) return (this.i += 4), 'true';
    if (c === 0x66) return (this.i += 5), 'false';
    if (c === 0x6e) return (this.i += 4), 'null';
    return this.number();
  }

  /** A string token: its raw text when canonical, else JSON.stringify of its value. */
  private string(): string {
    const s = this.s;
    const start = this.i;
    let canonical = true;
    let q = s.indexOf('"', start + 1);
    let b = s.indexOf('\\', start + 1);
    while (b !== -1 && b < q) {
      let k: number;
      const e = s.charCodeAt(b + 1);
      if (e === 0x75) {
        // \u00xx is canonical only for a control character without a short escape, in lowercase.
        const h = s.slice(b + 2, b + 6);
        const v = parseInt(h, 16);
        if (!(h.startsWith('00') && v < 0x20 && h === h.toLowerCase() && v !== 8 && v !== 9 && v !== 10 && v !== 12 && v !== 13)) canonical = false;
        k = b + 6;
      } else {
        // \" \\ \b \f \n \r \t are canonical; \/ is not.
        if (e === 0x2f) canonical = false;
        k = b + 2;
      }
      if (k > q) q = s.indexOf('"', k);
      b = s.indexOf('\\', k);
    }
    this.i = q + 1;
    const raw = s.slice(start, this.i);
    return canonical ? raw : JSON.stringify(JSON.parse(raw) as string);
  }

  private number(): string | undefined {
    const s = this.s;
    const start = this.i;
    let plainInt = true;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c >= 0x30 && c <= 0x39) this.i++;
      else if (c === 0x2d && this.i === start) this.i++;
      else if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d) {
        plainInt = false;
        this.i++;
      } else break;
    }
    const lit = s.slice(start, this.i);
    // Up to 15 digits an integer is safe and already in ECMAScript form (except -0).
    if (plainInt && lit.length <= 15 && lit !== '-0') return lit;
    const n = Number(lit);
    if (!Number.isFinite(n) || (plainInt && !Number.isSafeInteger(n))) return undefined;
    return JSON.stringify(n);
  }

  private object(depth: number): string | undefined {
    const s = this.s;
    this.i++;
    this.ws();
    if (s.charCodeAt(this.i) === 0x7d) return this.i++, '{}';
    const keys: string[] = [];
    const members: string[] = [];
    let escaped = false;
    for (;;) {
      this.ws();
      const key = this.string();
      if (key.includes('\\')) escaped = true;
      this.ws();
      this.i++; // ':'
      const v = this.value(depth);
      if (v === undefined) return undefined;
      keys.push(key);
      members.push(`${key}:${v}`);
      this.ws();
      if (s.charCodeAt(this.i++) === 0x7d) break;
    }
    if (keys.length === 1) return `{${members[0] as string}}`;
    // Order by the UTF-16 code units of the decoded names (RFC 8785 §3.2.3). Canonical names are
    // unique spellings, so equal neighbours after sorting are duplicate keys: slow path.
    const names = escaped ? keys.map((k) => JSON.parse(k) as string) : keys.map((k) => k.slice(1, -1));
    const order = names.map((_, j) => j).sort((a, b) => ((names[a] as string) < (names[b] as string) ? -1 : (names[a] as string) > (names[b] as string) ? 1 : 0));
    let out = '{';
    for (let j = 0; j < order.length; j++) {
      const m = order[j] as number;
      if (j > 0 && names[m] === names[order[j - 1] as number]) return undefined;
      out += (j > 0 ? ',' : '') + (members[m] as string);
    }
    return out + '}';
  }

  private array(depth: number): string | undefined {
    const s = this.s;
    this.i++;
    this.ws();
    if (s.charCodeAt(this.i) === 0x5d) return this.i++, '[]';
    let out = '[';
    for (let first = true; ; first = false) {
      const v = this.value(depth);
      if (v === undefined) return undefined;
      out += first ? v : `,${v}`;
      this.ws();
      if (s.charCodeAt(this.i++) === 0x5d) break;
    }
    return out + ']';
  }
}
