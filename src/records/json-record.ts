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

/** Parses one JSON record strictly; throws RECORD_* errors located at `location`. */
export function parseJsonRecord(text: string, location: SourceLocation): ParsedRecord {
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
  const walk = { sorted: true, bad: false };
  value = normalize(value, 0, walk);
  if (walk.bad) {
    // Too deep, non-finite or possibly unsafe number: find exactly what and where (a large
    // float such as 1e300 is integral yet fine, so this may find nothing).
    const problem = strictFailure(text, location) ?? numberProblem(text, location);
    if (problem) throw problem;
  }
  let canonical: string;
  try {
    canonical = walk.sorted ? JSON.stringify(value) : canonicalize(value);
  } catch (err) {
    throw fromJsonError(err, location);
  }
  if (!risky && countColons(text) !== countColons(canonical)) {
    // JSON.parse silently merged a duplicate member: let the strict parser name it.
    throw strictFailure(text, location) ?? recordError('RECORD_JSON_DUPLICATE_KEY', 'duplicate object key', location);
  }
  return { value, canonical };
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
function normalize(v: unknown, depth: number, st: { sorted: boolean; bad: boolean }): unknown {
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
  let inOrder = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const c = k.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) st.sorted = false;
    if (i > 0 && !((keys[i - 1] as string) < k)) inOrder = false;
    const x = o[k];
    const y = normalize(x, depth + 1, st);
    if (y !== x) o[k] = y;
  }
  if (inOrder) return o;
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
 * to re-serialize. JSON.parse checks the grammar; a scanner then copies every string and number
 * token that is already in canonical form (RFC 8785 §3.2.2.2: only \" \\ \b \f \n \r \t and
 * lowercase \u00xx for other controls) straight from the text and puts members in §3.2.3 order.
 * Anything unusual (a duplicate key, an unsafe or huge number, deep nesting, escapes that could be
 * a surrogate or a hidden ':') goes through parseJsonRecord, which raises the precise error.
 * `text` must come from valid UTF-8 (no lone surrogates), as every line reader guarantees.
 */
export function canonicalRecordText(text: string, location: SourceLocation): string {
  if (!(text.includes('\\u') && RISKY_ESCAPE.test(text))) {
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
