/**
 * The Provenant log entry: digests only, so a public log reveals neither data nor who sold what
 * to whom. An entry is the RFC 8785 canonical JSON of
 *
 *   {"client":<hex>,"envelope":<hex>,"recordRoot":<hex>,"subjects":[<hex>...],"v":1,"vendor":<hex>}
 *
 *   envelope    SHA-256 of the DSSE envelope bytes as sealed
 *   subjects    SHA-256 of each in-toto subject (the delivery's files), in statement order
 *   recordRoot  RFC 9162 root over the delivery's record digests (DESIGN §2)
 *   vendor      commitment SHA-256(salt || UTF-8 name), salt = 32 random bytes kept private
 *   client      same, with its own salt
 *
 * All digests are 64 lowercase hex characters. The parser is strict: exactly these members, the
 * bytes must be the canonical encoding (one spelling per entry, so equal entries hash equally),
 * at most MAX_SUBJECTS subjects. The log server runs it on every add, which is what keeps
 * names and raw data out of the log.
 */
import { randomBytes } from 'node:crypto';
import { digestEqual, isSha256Hex, sha256 } from '../../core/index.js';
import { MAX_ENTRY_SIZE } from '../tiles.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';

/** Entry format version this code writes and reads. */
export const LOG_ENTRY_VERSION = 1;
/** Most subjects one entry may list (keeps every entry well below the 64 KiB bundle limit). */
export const MAX_SUBJECTS = 512;
/** Salt length for vendor and client commitments. */
export const COMMITMENT_SALT_SIZE = 32;

/** A parsed log entry (all digests lowercase hex). */
export interface LogEntry {
  readonly v: 1;
  readonly envelope: string;
  readonly subjects: readonly string[];
  readonly recordRoot: string;
  readonly vendor: string;
  readonly client: string;
}

const KEYS = ['client', 'envelope', 'recordRoot', 'subjects', 'v', 'vendor'] as const;

function malformed(reason: string, message: string): LogServiceError {
  return new LogServiceError(C.ENTRY_MALFORMED, `log entry is invalid: ${message}`, { details: { reason } });
}

function checkEntry(value: unknown): LogEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('not-object', 'it must be a JSON object');
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  const unknown = keys.filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw malformed('unknown-member', `unexpected member(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; entries hold digests only`);
  const missing = KEYS.filter((k) => !(k in obj));
  if (missing.length > 0) throw malformed('missing-member', `missing member(s) ${missing.join(', ')}`);
  if (obj['v'] !== LOG_ENTRY_VERSION) throw malformed('version', `"v" must be ${LOG_ENTRY_VERSION}`);
  for (const k of ['envelope', 'recordRoot', 'vendor', 'client'] as const) {
    if (!isSha256Hex(obj[k])) throw malformed('not-digest', `"${k}" must be 64 lowercase hex characters (a SHA-256 digest or commitment)`);
  }
  const subjects = obj['subjects'];
  if (!Array.isArray(subjects) || subjects.length === 0) throw malformed('subjects', '"subjects" must be a non-empty array of SHA-256 digests');
  if (subjects.length > MAX_SUBJECTS) throw malformed('subjects', `"subjects" lists ${subjects.length} digests; at most ${MAX_SUBJECTS}`);
  subjects.forEach((s, i) => {
    if (!isSha256Hex(s)) throw malformed('not-digest', `"subjects"[${i}] must be 64 lowercase hex characters`);
  });
  return {
    v: 1,
    envelope: obj['envelope'] as string,
    subjects: subjects as string[],
    recordRoot: obj['recordRoot'] as string,
    vendor: obj['vendor'] as string,
    client: obj['client'] as string,
  };
}

/**
 * RFC 8785 text of a checked entry. Every value is lowercase hex or the integer 1, so nothing
 * needs escaping and the members are written in their canonical (UTF-16 sorted) order directly.
 */
function canonicalText(e: LogEntry): string {
  const subjects = e.subjects.map((s) => `"${s}"`).join(',');
  return `{"client":"${e.client}","envelope":"${e.envelope}","recordRoot":"${e.recordRoot}","subjects":[${subjects}],"v":1,"vendor":"${e.vendor}"}`;
}

/** Encodes an entry as its canonical bytes; throws TLOG_ENTRY_MALFORMED on a bad field. */
export function encodeLogEntry(entry: Omit<LogEntry, 'v'> & { readonly v?: 1 }): Buffer {
  const e = checkEntry({ ...entry, v: LOG_ENTRY_VERSION });
  const bytes = Buffer.from(canonicalText(e), 'utf8');
  if (bytes.length > MAX_ENTRY_SIZE) throw new LogServiceError(C.ENTRY_TOO_LARGE, `log entry is ${bytes.length} bytes; at most ${MAX_ENTRY_SIZE}`);
  return bytes;
}

/**
 * Parses entry bytes strictly: UTF-8 canonical JSON with exactly the documented members. Throws
 * TLOG_ENTRY_TOO_LARGE or TLOG_ENTRY_MALFORMED (details.reason), never a SyntaxError.
 */
export function parseLogEntry(bytes: Uint8Array): LogEntry {
  if (bytes.length > MAX_ENTRY_SIZE) throw new LogServiceError(C.ENTRY_TOO_LARGE, `log entry is ${bytes.length} bytes; at most ${MAX_ENTRY_SIZE}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw malformed('not-utf8', 'it is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('json', 'it is not JSON');
  }
  const entry = checkEntry(value);
  // One spelling per entry: the bytes must be exactly the RFC 8785 encoding. This also rules out
  // duplicate members (JSON.parse keeps the last one; the canonical form has each member once).
  if (canonicalText(entry) !== text) {
    throw malformed('not-canonical', 'it is not in RFC 8785 canonical form (member order, whitespace, escapes or duplicate members)');
  }
  return entry;
}

/** A fresh random salt for a vendor or client commitment (keep it private, in the seal dir). */
export function generateCommitmentSalt(): Buffer {
  return randomBytes(COMMITMENT_SALT_SIZE);
}

/** commitment = SHA-256(salt || UTF-8 name), lowercase hex. */
export function commitName(name: string, salt: Uint8Array): string {
  if (salt.length !== COMMITMENT_SALT_SIZE) {
    throw new LogServiceError(C.ENTRY_MALFORMED, `commitment salt must be ${COMMITMENT_SALT_SIZE} bytes, got ${salt.length}`, { details: { reason: 'salt' } });
  }
  return sha256(Buffer.concat([salt, Buffer.from(name, 'utf8')])).toString('hex');
}

/** True when `commitment` opens to `name` under `salt` (constant-time compare). */
export function openCommitment(commitment: string, name: string, salt: Uint8Array): boolean {
  if (!isSha256Hex(commitment) || salt.length !== COMMITMENT_SALT_SIZE) return false;
  return digestEqual(Buffer.from(commitName(name, salt), 'hex'), Buffer.from(commitment, 'hex'));
}
