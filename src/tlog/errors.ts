/**
 * Coded errors of the transparency-log capability. Codes are stable (documented in the README);
 * `kind` decides the exit class: malformed input (2) or a failed check (1).
 */
import { ProvenantError, type ProvenantErrorOptions } from '../core/index.js';

/** Every code a LogError can carry. */
export const LOG_ERROR_CODES = {
  /** An argument to a log function is out of range (index ≥ size, negative or unsafe integer). */
  RANGE: 'TLOG_RANGE',
  /** A node source returned a missing or wrongly sized hash while building a proof. */
  NODE_INVALID: 'TLOG_NODE_INVALID',
  /** An inclusion proof does not verify against the given root. */
  INCLUSION_INVALID: 'TLOG_INCLUSION_INVALID',
  /** A consistency proof does not verify between the two tree heads. */
  CONSISTENCY_INVALID: 'TLOG_CONSISTENCY_INVALID',
  /** A signed note is not well formed (details.reason names the rule). */
  NOTE_MALFORMED: 'TLOG_NOTE_MALFORMED',
  /** A signature by a known key does not verify: the note was altered or forged. */
  NOTE_BAD_SIGNATURE: 'TLOG_NOTE_BAD_SIGNATURE',
  /** No signature by any trusted key is present on the note. */
  NOTE_UNVERIFIED: 'TLOG_NOTE_UNVERIFIED',
  /** A verifier or signer key string is malformed, or two trusted keys share name and id. */
  KEY_MALFORMED: 'TLOG_KEY_MALFORMED',
  /** A checkpoint body is not well formed. */
  CHECKPOINT_MALFORMED: 'TLOG_CHECKPOINT_MALFORMED',
  /** A checkpoint's origin line is not the expected log origin. */
  CHECKPOINT_ORIGIN: 'TLOG_CHECKPOINT_ORIGIN',
  /** Fewer trusted witnesses cosigned a checkpoint than the policy requires. */
  COSIGNATURE_QUORUM: 'TLOG_COSIGNATURE_QUORUM',
  /** A tile path does not follow C2SP tlog-tiles. */
  TILE_PATH_INVALID: 'TLOG_TILE_PATH_INVALID',
  /** Tile or entry-bundle bytes are malformed. */
  TILE_MALFORMED: 'TLOG_TILE_MALFORMED',
  /** A tlog-proof receipt is not well formed. */
  RECEIPT_MALFORMED: 'TLOG_RECEIPT_MALFORMED',
  /** A receipt's checkpoint is not signed by the expected log key. */
  RECEIPT_WRONG_KEY: 'TLOG_RECEIPT_WRONG_KEY',
  /** A receipt does not prove inclusion of the given entry (another entry, or altered). */
  RECEIPT_ENTRY_MISMATCH: 'TLOG_RECEIPT_ENTRY_MISMATCH',
} as const;

export type LogErrorCode = (typeof LOG_ERROR_CODES)[keyof typeof LOG_ERROR_CODES];

/** Error raised by tlog/: one stable TLOG_* code per failure. */
export class LogError extends ProvenantError {
  declare readonly code: LogErrorCode;

  constructor(code: LogErrorCode, message: string, options: ProvenantErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A failed check (exit 1), as opposed to malformed input. */
export function verificationError(
  code: LogErrorCode,
  message: string,
  options: Omit<ProvenantErrorOptions, 'kind'> = {},
): LogError {
  return new LogError(code, message, { ...options, kind: 'verification' });
}
