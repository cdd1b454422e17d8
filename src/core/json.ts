/**
 * Strict JSON parsing for attacker-controlled documents (bundles, statements, records).
 * RFC 8259 grammar, plus I-JSON (RFC 7493) rules that matter for signing: duplicate object
 * member names are rejected (JSON.parse would silently keep the last one, letting two parties
 * read one document differently), and lone surrogates are rejected.
 */
import { InputError, type SourceLocation } from './errors.js';

export interface StrictJsonOptions {
  /** Location used in errors (file and line of the text being parsed). */
  readonly location?: SourceLocation;
  /** Maximum nesting depth (default 512): deeper documents are refused, not stack-overflowed. */
  readonly maxDepth?: number;
}

/**
 * Parses JSON text; throws InputError with code JSON_SYNTAX, JSON_DUPLICATE_KEY, JSON_TOO_DEEP or
 * JSON_LONE_SURROGATE naming the JSON path. Uses JSON.parse for speed and a cheap member count to
 * detect duplicates; falls back to a full parser only to locate the problem.
 */
export function parseStrictJson(text: string, options: StrictJsonOptions = {}): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Re-parse with our parser to produce a precise, coded error.
    new StrictParser(text, options).parseDocument();
    throw jsonError('JSON_SYNTAX', 'invalid JSON', options, '$');
  }
  const maxDepth = options.maxDepth ?? 512;
  const scan = scanMembers(text, maxDepth);
  if (scan.tooDeep || scan.members !== countMembers(value) || scan.loneSurrogate) {
    new StrictParser(text, options).parseDocument();
  }
  return value;
}

function jsonError(code: string, msg: string, options: StrictJsonOptions, path: string): InputError {
  const loc: SourceLocation = { ...(options.location ?? { file: '<input>' }), path };
  return new InputError(code, msg, { location: loc });
}

/** Counts object members (colons outside strings) and max depth without building values. */
function scanMembers(text: string, maxDepth: number): { members: number; tooDeep: boolean; loneSurrogate: boolean } {
  let members = 0;
  let depth = 0;
  let tooDeep = false;
  let loneSurrogate = false;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        // An escaped \uD800-\uDFFF may be a lone surrogate: let the full parser decide.
        if (text.charCodeAt(i + 1) === 0x75 && (text.charCodeAt(i + 2) | 0x20) === 0x64) {
          const d = text.charCodeAt(i + 3) | 0x20;
          if (d >= 0x38 && d <= 0x66 && !(d > 0x39 && d < 0x61)) loneSurrogate = true;
        }
        i++;
      } else if (c === 0x22) inString = false;
      else if (c >= 0xd800 && c <= 0xdfff) loneSurrogate = true;
    } else if (c === 0x22) inString = true;
    else if (c === 0x3a) members++;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) tooDeep = true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return { members, tooDeep, loneSurrogate };
}

function countMembers(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) n += countMembers(x);
    return n;
  }
  for (const k in v as Record<string, unknown>) n += 1 + countMembers((v as Record<string, unknown>)[k]);
  return n;
}

/** Full recursive-descent parser, used to locate errors precisely. */
class StrictParser {
  private i = 0;
  private readonly maxDepth: number;
  constructor(
    private readonly s: string,
    private readonly options: StrictJsonOptions,
  ) {
    this.maxDepth = options.maxDepth ?? 512;
  }

  parseDocument(): unknown {
    this.ws();
    const v = this.value('$', 0);
    this.ws();
    if (this.i !== this.s.length) this.fail('JSON_SYNTAX', `unexpected data after JSON value at offset ${this.i}`, '$');
    return v;
  }

  private fail(code: string, msg: string, path: string): never {
    throw jsonError(code, msg, this.options, path);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }

  private value(path: string, depth: number): unknown {
    const c = this.s[this.i];
    if (c === '{') return this.object(path, depth + 1);
    if (c === '[') return this.array(path, depth + 1);
    if (c === '"') return this.string(path);
    if (c === 't' && this.s.startsWith('true', this.i)) return (this.i += 4), true;
    if (c === 'f' && this.s.startsWith('false', this.i)) return (this.i += 5), false;
    if (c === 'n' && this.s.startsWith('null', this.i)) return (this.i += 4), null;
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number(path);
    if (c === undefined) this.fail('JSON_SYNTAX', 'unexpected end of JSON (truncated?)', path);
    return this.fail('JSON_SYNTAX', `unexpected character ${JSON.stringify(c)} at offset ${this.i}`, path);
  }

  private object(path: string, depth: number): Record<string, unknown> {
    if (depth > this.maxDepth) this.fail('JSON_TOO_DEEP', `nesting deeper than ${this.maxDepth}`, path);
    this.i++;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.ws();
    if (this.s[this.i] === '}') return this.i++, out;
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('JSON_SYNTAX', `expected a member name at offset ${this.i}`, path);
      const key = this.string(path);
      const childPath = `${path}.${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}`;
      if (seen.has(key)) this.fail('JSON_DUPLICATE_KEY', `duplicate object key ${JSON.stringify(key)}`, childPath);
      seen.add(key);
      this.ws();
      if (this.s[this.i] !== ':') this.fail('JSON_SYNTAX', `expected ':' at offset ${this.i}`, childPath);
      this.i++;
      this.ws();
      const v = this.value(childPath, depth);
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail('JSON_SYNTAX', c === undefined ? 'unexpected end of JSON (truncated?)' : `expected ',' or '}' at offset ${this.i - 1}`, path);
    }
  }

  private array(path: string, depth: number): unknown[] {
    if (depth > this.maxDepth) this.fail('JSON_TOO_DEEP', `nesting deeper than ${this.maxDepth}`, path);
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === ']') return this.i++, out;
    for (;;) {
      this.ws();
      out.push(this.value(`${path}[${out.length}]`, depth));
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail('JSON_SYNTAX', c === undefined ? 'unexpected end of JSON (truncated?)' : `expected ',' or ']' at offset ${this.i - 1}`, path);
    }
  }

  private string(path: string): string {
    const s = this.s;
    const start = ++this.i;
    let out = '';
    let chunk = start;
    for (;;) {
      if (this.i >= s.length) this.fail('JSON_SYNTAX', 'unterminated string (truncated?)', path);
      const c = s.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('JSON_SYNTAX', `control character U+${c.toString(16).padStart(4, '0')} in string`, path);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = s.charCodeAt(this.i + 1);
        if (!(d >= 0xdc00 && d <= 0xdfff)) this.fail('JSON_LONE_SURROGATE', 'lone surrogate in string', path);
        this.i += 2;
        continue;
      }
      if (c >= 0xdc00 && c <= 0xdfff) this.fail('JSON_LONE_SURROGATE', 'lone surrogate in string', path);
      if (c === 0x5c) {
        out += s.slice(chunk, this.i);
        const e = s[this.i + 1];
        this.i += 2;
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const cu = this.hex4(path);
            if (cu >= 0xd800 && cu <= 0xdbff) {
              if (s[this.i] !== '\\' || s[this.i + 1] !== 'u') this.fail('JSON_LONE_SURROGATE', 'lone surrogate escape in string', path);
              this.i += 2;
              const lo = this.hex4(path);
              if (lo < 0xdc00 || lo > 0xdfff) this.fail('JSON_LONE_SURROGATE', 'lone surrogate escape in string', path);
              out += String.fromCharCode(cu, lo);
            } else if (cu >= 0xdc00 && cu <= 0xdfff) {
              this.fail('JSON_LONE_SURROGATE', 'lone surrogate escape in string', path);
            } else out += String.fromCharCode(cu);
            break;
          }
          default:
            this.fail('JSON_SYNTAX', `invalid escape \\${e ?? ''} in string`, path);
        }
        chunk = this.i;
        continue;
      }
      this.i++;
    }
    out += s.slice(chunk, this.i);
    this.i++;
    return out;
  }

  private hex4(path: string): number {
    const h = this.s.slice(this.i, this.i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('JSON_SYNTAX', 'invalid \\u escape in string', path);
    this.i += 4;
    return parseInt(h, 16);
  }

  private number(path: string): number {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail('JSON_SYNTAX', `invalid number at offset ${this.i}`, path);
    this.i += m[0].length;
    return Number(m[0]);
  }
}
