/**
 * Checks that turn a regex candidate into a finding: checksums, entropy, JWT structure and the
 * placeholder filter shared by the context rules. All are pure and allocation-light.
 */
import { crc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of an unsigned 32-bit integer, left-padded with '0' to `width`. */
export function base62(value: number, width: number): string {
  let n = value >>> 0;
  let out = '';
  while (n > 0) {
    out = BASE62.charAt(n % 62) + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}

/**
 * GitHub (and npm) token checksum: `<prefix>_<30 random base62><6 checksum>`, where the checksum is
 * base62(CRC32(random part)), zero-padded (github.blog 2021-04-05 "Behind GitHub's new
 * authentication token formats"; npm adopted the same layout in 2021).
 */
export function checksumTokenValid(token: string): boolean {
  const us = token.indexOf('_');
  if (us < 0) return false;
  const body = token.slice(us + 1);
  if (body.length < 7) return false;
  const random = body.slice(0, -6);
  const check = body.slice(-6);
  return base62(crc32(random), 6) === check;
}

/** Build a GitHub-format token with a correct checksum (used by tests and docs). */
export function makeChecksumToken(prefix: string, random30: string): string {
  return `${prefix}${random30}${base62(crc32(random30), 6)}`;
}

const counts = new Int32Array(65536);

/** Shannon entropy of `s` in bits per character (0 for the empty string). */
export function shannonEntropy(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  for (let i = 0; i < n; i++) counts[s.charCodeAt(i)]! += 1;
  let h = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const k = counts[c]!;
    if (k > 0) {
      const p = k / n;
      h -= p * Math.log2(p);
      counts[c] = 0;
    }
  }
  return h;
}

/** Number of character classes (lower, upper, digit, other) present in `s`. */
export function charClasses(s: string): number {
  let lo = 0;
  let up = 0;
  let di = 0;
  let ot = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) lo = 1;
    else if (c >= 65 && c <= 90) up = 1;
    else if (c >= 48 && c <= 57) di = 1;
    else ot = 1;
  }
  return lo + up + di + ot;
}

const PLACEHOLDER_WORDS =
  /^(?:changeme|change_me|changeit|password\d*|passw0rd|p@ssw0rd|secret|mysecret|yoursecret|token|apikey|api_key|example|sample|dummy|test|testing|test123|fake|foobar|foo|bar|baz|qwerty|letmein|admin|root|guest|null|none|nil|undefined|true|false|redacted|removed|hidden|masked|todo|fixme|tbd|n\/a|empty|default|placeholder|insert|required|optional|string|value|your[-_ a-z]*|my[-_]?(?:password|secret|token|key))$/i;

/**
 * True when a value is a placeholder or a reference rather than a literal secret: `<your-key>`,
 * `xxxx`, `****`, `${VAR}`, `{{ var }}`, `%(x)s`, `process.env.X`, `os.environ[...]`, well-known
 * dummy words. Placeholders are not secrets; reporting them only trains reviewers to ignore us.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (PLACEHOLDER_WORDS.test(v)) return true;
  const lower = v.toLowerCase();
  if (/^[<[{(].*[>\]})]$/.test(v)) return true; // <your-key>, [TOKEN], {secret}
  if (v.includes('${') || v.includes('{{') || v.includes('%(') || v.startsWith('$')) return true;
  if (/^(?:process\.env|os\.environ|os\.getenv|env\.|env\[|getenv|import\.meta\.env|secrets\.|vault:|ENV\[)/i.test(v)) return true;
  if (/(.)\1{5,}/.test(v) && shannonEntropy(v) < 2.5) return true; // xxxxxxxx, ********, 00000000
  if (/^[x*#.•_-]+$/i.test(v)) return true;
  if (lower.includes('example') || lower.includes('placeholder') || lower.includes('your_') || lower.includes('your-') || lower.includes('<your') || lower.includes('changeme') || lower.includes('xxxx') || lower.includes('redacted')) return true;
  return false;
}

/** Decode base64url (no padding needed) to a UTF-8 string; undefined when it is not base64url. */
export function decodeBase64Url(part: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  return Buffer.from(part, 'base64url').toString('utf8');
}

/** JWT header check (RFC 7519 §7.2 / RFC 7515 §4.1.1): the header is a JSON object carrying `alg`. */
export function jwtHeaderAlg(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  const header = decodeBase64Url(token.slice(0, dot));
  if (header === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(header);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const alg = (parsed as Record<string, unknown>)['alg'];
      if (typeof alg === 'string' && alg.length > 0 && alg.length < 32) return alg;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The JWT payload as an object, or undefined when it does not decode to a JSON object. */
export function jwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  const raw = parts[1] === undefined ? undefined : decodeBase64Url(parts[1]);
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  return undefined;
}

/** Redact a value for evidence: at most a 4-char prefix and suffix for long values, less for short. */
export function maskSecret(value: string): string {
  const n = value.length;
  if (n >= 24) return `${value.slice(0, 4)}…${value.slice(-4)} (${n} chars)`;
  if (n >= 12) return `${value.slice(0, 2)}…(${n} chars)`;
  return `…(${n} chars)`;
}
