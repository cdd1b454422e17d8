/**
 * Argument checks shared by every backend, so all of them reject the same inputs with the same
 * codes. Deliveries usually come from a verified seal, but the store re-checks shapes because a bad
 * row is forever: a later lineage or impact query would silently build on it.
 */
import { canonicalize, isSha256Hex, ProvenantError } from '../core/index.js';
import { StoreError } from './errors.js';
import type { DeliveryRecord, DigestInput, RecordRef } from './types.js';

const MAX_TEXT = 4096;
// RFC 3339 §5.6 date-time; the offset is required so that stored times are unambiguous.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const KEY_ID = /^(?:[0-9a-f]{2}){4,64}$/;
const ANY_HEX_DIGEST = /^[0-9a-fA-F]{64}$/;
/** C0/C1 controls would let a delivery id rewrite the terminal it is printed on. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function invalid(message: string, details?: Record<string, unknown>): StoreError {
  return new StoreError('STORE_INVALID_ARGUMENT', message, details ? { details } : {});
}

function label(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

function checkName(value: unknown, field: string, allowControls = false): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    throw invalid(`delivery ${field} must be a non-empty string of at most ${MAX_TEXT} characters; fix the caller`);
  }
  if (!allowControls && hasControl(value)) {
    throw invalid(`delivery ${field} ${label(value)} contains control characters; remove them`);
  }
  return value;
}

function checkHex(value: unknown, field: string): string {
  if (!isSha256Hex(value)) throw invalid(`delivery ${field} must be 64 lowercase hex characters (SHA-256)`);
  return value;
}

function checkCount(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`delivery ${field} must be a non-negative integer`);
  }
  return value;
}

function checkTime(value: unknown, field: string): string {
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalid(`delivery ${field} must be an RFC 3339 date-time with offset, e.g. 2026-01-31T12:00:00Z`);
  }
  return value;
}

/** Checks a delivery's shape; returns its meta as canonical JSON text (RFC 8785). */
export function checkDelivery(d: DeliveryRecord): { metaJson: string } {
  if (typeof d !== 'object' || d === null) throw invalid('delivery must be an object');
  checkName(d.id, 'id');
  checkName(d.vendor, 'vendor');
  checkName(d.client, 'client');
  if (d.status !== 'sealed' && d.status !== 'verified') {
    throw invalid(`delivery status must be 'sealed' or 'verified'`);
  }
  checkHex(d.envelopeSha256, 'envelopeSha256');
  if (d.statementSha256 !== undefined) checkHex(d.statementSha256, 'statementSha256');
  checkHex(d.recordRoot, 'recordRoot');
  checkHex(d.recordSetRoot, 'recordSetRoot');
  checkCount(d.recordCount, 'recordCount');
  checkCount(d.fileCount, 'fileCount');
  if (typeof d.keyId !== 'string' || !KEY_ID.test(d.keyId)) {
    throw invalid('delivery keyId must be a lowercase hex fingerprint of 8 to 128 characters');
  }
  checkTime(d.sealedAt, 'sealedAt');
  if (d.verifiedAt !== undefined) checkTime(d.verifiedAt, 'verifiedAt');
  if (d.status === 'verified' && d.verifiedAt === undefined) {
    throw invalid(`delivery ${label(d.id)} has status 'verified' but no verifiedAt; set the verification time`);
  }
  if (d.status === 'sealed' && d.verifiedAt !== undefined) {
    throw invalid(`delivery ${label(d.id)} has verifiedAt but status 'sealed'; set status 'verified'`);
  }
  if (d.path !== undefined) checkName(d.path, 'path', true);
  if (typeof d.meta !== 'object' || d.meta === null || Array.isArray(d.meta)) {
    throw invalid('delivery meta must be a JSON object');
  }
  let metaJson: string;
  try {
    metaJson = canonicalize(d.meta);
  } catch (err) {
    const why = err instanceof ProvenantError ? err.message : 'not JSON';
    throw invalid(`delivery meta is not JSON (${why}); pass plain JSON values only`);
  }
  return { metaJson };
}

/** Checks one streamed record reference; `n` is its 0-based position in the stream, for messages. */
export function checkRecordRef(r: RecordRef, n: number): void {
  if (typeof r !== 'object' || r === null) throw invalid(`record #${n} is not an object`);
  if (!(r.digest instanceof Uint8Array) || r.digest.length !== 32) {
    throw invalid(`record #${n} digest must be 32 bytes (SHA-256)`, { record: n });
  }
  if (typeof r.file !== 'string' || r.file.length === 0 || r.file.length > MAX_TEXT) {
    throw invalid(`record #${n} file must be a non-empty path of at most ${MAX_TEXT} characters`, { record: n });
  }
  if (typeof r.index !== 'number' || !Number.isSafeInteger(r.index) || r.index < 0) {
    throw invalid(`record #${n} index must be a non-negative integer`, { record: n });
  }
}

/** Checks that a records source is a sync or async iterable. */
export function checkRecordSource(records: unknown): void {
  const ok =
    typeof records === 'object' &&
    records !== null &&
    (typeof (records as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function' ||
      typeof (records as Record<symbol, unknown>)[Symbol.iterator] === 'function');
  if (!ok) throw invalid('records must be an iterable or async iterable of record references');
}

/** Turns a digest given as bytes or hex into a 32-byte Buffer, without copying bytes. */
export function digestBuffer(input: DigestInput): Buffer {
  if (typeof input === 'string') {
    // Buffer.from(hex) silently stops at the first bad character, so check the text first.
    if (!ANY_HEX_DIGEST.test(input)) throw invalid(`digest ${label(input)} is not 64 hex characters (SHA-256)`);
    return Buffer.from(input, 'hex');
  }
  if (!(input instanceof Uint8Array) || input.length !== 32) {
    throw invalid('digest must be 32 bytes (SHA-256) or 64 hex characters');
  }
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

/** The sealed facts that must match for a second put of the same delivery id to be a no-op. */
export const SEALED_FIELDS = [
  'vendor',
  'client',
  'envelopeSha256',
  'statementSha256',
  'recordRoot',
  'recordSetRoot',
  'recordCount',
  'fileCount',
  'keyId',
  'sealedAt',
] as const satisfies readonly (keyof DeliveryRecord)[];

/** Names the sealed fields on which two versions of a delivery differ (empty when compatible). */
export function sealedDifferences(stored: DeliveryRecord, incoming: DeliveryRecord): string[] {
  const out: string[] = [];
  for (const f of SEALED_FIELDS) {
    const a = stored[f];
    const b = incoming[f];
    // A statement digest may be learnt later (verify reads the statement); absent is compatible.
    if (f === 'statementSha256' && (a === undefined || b === undefined)) continue;
    if (a !== b) out.push(f);
  }
  return out;
}
