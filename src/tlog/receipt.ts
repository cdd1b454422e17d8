/**
 * C2SP tlog-proof: the offline receipt that an entry is in a log.
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64>]
 *   index <decimal>
 *   <base64 hash>            (zero or more: the inclusion proof, leaf side first)
 *   <blank line>
 *   <signed checkpoint note, verbatim>
 */
import type { SourceLocation } from '../core/index.js';
import { decodeBase64Strict, isIndex, isWellFormedString, parseDecimal } from './encoding.js';
import { LOG_ERROR_CODES as C, LogError, verificationError } from './errors.js';
import { openCheckpoint, type CheckpointPolicy, type VerifiedCheckpoint } from './checkpoint.js';
import { HASH_SIZE, verifyInclusion } from './merkle.js';
import { parseNote } from './note.js';

/** First line of every tlog-proof. */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** Longest inclusion proof a 64-bit tree can need. */
const MAX_PROOF_HASHES = 64;
const MAX_RECEIPT_BYTES = 1 << 20;

/** A parsed tlog-proof receipt (nothing in it is verified yet). */
export interface TlogProof {
  /** Opaque, unauthenticated application data: never trust it. */
  readonly extra?: Buffer;
  readonly index: number;
  readonly proof: readonly Buffer[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
}

function malformed(message: string, file: string | undefined, line?: number): LogError {
  const location: SourceLocation | undefined =
    file === undefined ? undefined : line === undefined ? { file } : { file, line };
  return new LogError(C.RECEIPT_MALFORMED, message, location ? { location } : {});
}

/** Writes a receipt; the checkpoint must be a signed note. */
export function formatTlogProof(p: TlogProof): string {
  if (!isIndex(p.index)) throw new LogError(C.RANGE, `receipt index must be a non-negative safe integer, got ${String(p.index)}`);
  if (p.proof.length > MAX_PROOF_HASHES) throw new LogError(C.RANGE, `inclusion proof has ${p.proof.length} hashes; at most ${MAX_PROOF_HASHES}`);
  for (const h of p.proof) if (h.length !== HASH_SIZE) throw new LogError(C.RANGE, `inclusion proof hashes must be ${HASH_SIZE} bytes`);
  if (p.extra !== undefined && p.extra.length === 0) throw new LogError(C.RANGE, 'receipt extra data must be non-empty when present');
  parseNote(p.checkpoint); // a receipt must never carry a checkpoint its reader cannot parse
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== undefined) lines.push(`extra ${p.extra.toString('base64')}`);
  lines.push(`index ${p.index}`, ...p.proof.map((h) => h.toString('base64')), '');
  return lines.join('\n') + '\n' + p.checkpoint;
}

/** Parses a receipt; throws TLOG_RECEIPT_MALFORMED naming the line, or TLOG_NOTE_MALFORMED for its checkpoint. */
export function parseTlogProof(input: string | Uint8Array, options: { readonly file?: string } = {}): TlogProof {
  const file = options.file;
  let text: string;
  if (typeof input === 'string') {
    if (!isWellFormedString(input)) throw malformed('receipt is not valid UTF-8', file);
    text = input;
  } else {
    if (input.length > MAX_RECEIPT_BYTES) throw malformed(`receipt is larger than ${MAX_RECEIPT_BYTES} bytes`, file);
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw malformed('receipt is not valid UTF-8', file);
    }
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_RECEIPT_BYTES) throw malformed(`receipt is larger than ${MAX_RECEIPT_BYTES} bytes`, file);
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw malformed('receipt has no blank line before its checkpoint (truncated?)', file);
  const head = text.slice(0, blank).split('\n');
  let line = 0;
  const next = (): string | undefined => head[line++];
  if (next() !== TLOG_PROOF_HEADER) throw malformed(`first line must be ${TLOG_PROOF_HEADER}`, file, 1);
  let extra: Buffer | undefined;
  let l = next();
  if (l !== undefined && l.startsWith('extra ')) {
    extra = decodeBase64Strict(l.slice('extra '.length));
    if (extra === undefined || extra.length === 0) throw malformed('extra data must be non-empty canonical base64', file, line);
    l = next();
  }
  if (l === undefined || !l.startsWith('index ')) throw malformed("expected the line 'index <N>'", file, line);
  const index = parseDecimal(l.slice('index '.length));
  if (index === 'syntax') throw malformed('index must be a decimal without leading zeroes', file, line);
  if (index === 'range') throw malformed('index is above 2^53-1, which this tool does not support', file, line);
  const proof: Buffer[] = [];
  for (let h = next(); h !== undefined; h = next()) {
    const hash = decodeBase64Strict(h);
    if (hash === undefined || hash.length !== HASH_SIZE) throw malformed(`inclusion proof line must be the base64 of a ${HASH_SIZE}-byte hash`, file, line);
    proof.push(hash);
  }
  if (proof.length > MAX_PROOF_HASHES) throw malformed(`inclusion proof has ${proof.length} hashes; at most ${MAX_PROOF_HASHES}`, file, line);
  const checkpoint = text.slice(blank + 2);
  if (checkpoint.length === 0) throw malformed('receipt ends before its checkpoint (truncated?)', file, line + 2);
  parseNote(checkpoint, file === undefined ? {} : { file });
  return { ...(extra !== undefined ? { extra } : {}), index, proof, checkpoint };
}

/** What verifyTlogProof checked. */
export interface VerifiedTlogProof extends VerifiedCheckpoint {
  readonly index: number;
}

/**
 * Verifies a receipt offline: its checkpoint is signed by the log key (TLOG_RECEIPT_WRONG_KEY
 * otherwise) and meets the witness policy, and its proof includes `leafHash` at its index under
 * the checkpoint root (TLOG_RECEIPT_ENTRY_MISMATCH otherwise).
 */
export function verifyTlogProof(
  receipt: TlogProof | string | Uint8Array,
  leafHash: Uint8Array,
  policy: CheckpointPolicy,
  options: { readonly file?: string } = {},
): VerifiedTlogProof {
  const p = typeof receipt === 'string' || receipt instanceof Uint8Array ? parseTlogProof(receipt, options) : receipt;
  const loc = options.file === undefined ? {} : { location: { file: options.file } };
  let verified: VerifiedCheckpoint;
  try {
    verified = openCheckpoint(p.checkpoint, policy, options);
  } catch (err) {
    if (err instanceof LogError && err.code === C.NOTE_UNVERIFIED) {
      throw verificationError(C.RECEIPT_WRONG_KEY, `receipt checkpoint is not signed by the log key ${policy.log.name}; it comes from another log or key`, {
        ...loc,
        cause: err,
      });
    }
    throw err;
  }
  const { size, rootHash } = verified.checkpoint;
  try {
    verifyInclusion(p.index, size, leafHash, p.proof, rootHash);
  } catch (err) {
    if (err instanceof LogError && err.code === C.INCLUSION_INVALID) {
      throw verificationError(C.RECEIPT_ENTRY_MISMATCH, `receipt does not prove this entry at index ${p.index} in the tree of size ${size}: it belongs to another entry or was altered`, {
        ...loc,
        cause: err,
        details: { index: p.index, size, ...(err.details ?? {}) },
      });
    }
    throw err;
  }
  return { ...verified, index: p.index };
}
