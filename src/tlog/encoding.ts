/**
 * Strict text encodings shared by notes, checkpoints and receipts. Every decoder here is fed
 * attacker-controlled text, so each one accepts exactly one spelling of a value: canonical
 * RFC 4648 §4 base64 and decimal integers without leading zeroes.
 */

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard padded base64 (RFC 4648 §4); undefined unless `s` is the canonical encoding
 * of its bytes (Buffer.from alone silently skips junk and non-zero padding bits).
 */
export function decodeBase64Strict(s: string): Buffer | undefined {
  if (!BASE64_RE.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : undefined;
}

const DECIMAL_RE = /^(?:0|[1-9][0-9]*)$/;

/**
 * Parses an ASCII decimal with no leading zeroes into a safe integer; 'syntax' for any other
 * spelling, 'range' for values above Number.MAX_SAFE_INTEGER (2^53 - 1).
 */
export function parseDecimal(s: string): number | 'syntax' | 'range' {
  if (!DECIMAL_RE.test(s)) return 'syntax';
  if (s.length > 16) return 'range';
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : 'range';
}

/** True for a non-negative safe integer (log sizes, indices, timestamps). */
export function isIndex(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

const LONE_SURROGATE_RE = /\p{Cs}/u;

/** True when `s` holds no lone UTF-16 surrogate, i.e. it encodes to UTF-8 without loss. */
export function isWellFormedString(s: string): boolean {
  return !LONE_SURROGATE_RE.test(s);
}
