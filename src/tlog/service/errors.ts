/**
 * Coded errors of the log service (sequencer, HTTP server, witness, client, verifier memory).
 * The Merkle/note/receipt library keeps its own TLOG_* codes in ../errors.ts; these extend the
 * same area prefix. `kind` decides the exit class: input (2), verification (1), internal (3).
 */
import { ProvenantError, type ProvenantErrorOptions } from '../../core/index.js';

/** Every code a LogServiceError can carry. */
export const LOG_SERVICE_ERROR_CODES = {
  /** A log entry is not the canonical digest-only entry format (details.reason names the rule). */
  ENTRY_MALFORMED: 'TLOG_ENTRY_MALFORMED',
  /** An entry or request body is larger than the log accepts. */
  ENTRY_TOO_LARGE: 'TLOG_ENTRY_TOO_LARGE',
  /** Another writer appended to the log store between our read and our write. */
  STORE_CONFLICT: 'TLOG_STORE_CONFLICT',
  /** The log store failed (I/O, damaged file, engine error). */
  STORE_FAILURE: 'TLOG_STORE_FAILURE',
  /** The log store's contents contradict themselves (stored root ≠ stored nodes). */
  STORE_CORRUPT: 'TLOG_STORE_CORRUPT',
  /** The sequencer or store was used after close(). */
  CLOSED: 'TLOG_CLOSED',
  /** No log exists at the given directory (run `provenant log init`). */
  LOG_NOT_FOUND: 'TLOG_LOG_NOT_FOUND',
  /** `log init` would overwrite an existing log. */
  LOG_EXISTS: 'TLOG_LOG_EXISTS',
  /** A log server or witness could not be reached or answered with something unusable. */
  NETWORK: 'TLOG_NETWORK',
  /** A log server refused a request (its error code is in details.remote). */
  REJECTED: 'TLOG_REJECTED',
  /** A checkpoint the log presents as its latest is smaller than one already trusted. */
  ROLLBACK: 'TLOG_ROLLBACK',
  /** Two checkpoints of one log disagree: same size with another root, or a failing consistency proof. */
  SPLIT_VIEW: 'TLOG_SPLIT_VIEW',
  /** A consistency check was required but no proof could be obtained. */
  CONSISTENCY_UNCHECKED: 'TLOG_CONSISTENCY_UNCHECKED',
  /** The trusted-checkpoints file is damaged. */
  STATE_CORRUPT: 'TLOG_STATE_CORRUPT',
  /** The trusted-checkpoints lock file cannot be taken (held by another process, or not creatable). */
  STATE_LOCKED: 'TLOG_STATE_LOCKED',
  /** Witness: the add-checkpoint request is malformed (HTTP 400). */
  WITNESS_BAD_REQUEST: 'TLOG_WITNESS_BAD_REQUEST',
  /** Witness: the checkpoint's origin is not a log it witnesses (HTTP 404). */
  WITNESS_UNKNOWN_LOG: 'TLOG_WITNESS_UNKNOWN_LOG',
  /** Witness: no trusted log signature verifies (HTTP 403). */
  WITNESS_FORBIDDEN: 'TLOG_WITNESS_FORBIDDEN',
  /** Witness: the old size is not the size it last cosigned, or same size with another root (HTTP 409). */
  WITNESS_CONFLICT: 'TLOG_WITNESS_CONFLICT',
  /** Witness: the consistency proof does not verify (HTTP 422). */
  WITNESS_INCONSISTENT: 'TLOG_WITNESS_INCONSISTENT',
  /** verify --log-key: the seal directory holds no log receipt (or no log entry file). */
  RECEIPT_MISSING: 'TLOG_RECEIPT_MISSING',
  /** The seal's log entry file does not match the sealed envelope, subjects, record root or names. */
  SEAL_ENTRY_MISMATCH: 'TLOG_SEAL_ENTRY_MISMATCH',
  /** HTTP: no such resource (404). */
  NOT_FOUND: 'TLOG_NOT_FOUND',
  /** HTTP: method not allowed on this resource (405). */
  METHOD_NOT_ALLOWED: 'TLOG_METHOD_NOT_ALLOWED',
} as const;

export type LogServiceErrorCode = (typeof LOG_SERVICE_ERROR_CODES)[keyof typeof LOG_SERVICE_ERROR_CODES];

/** Error raised by tlog/service: one stable TLOG_* code per failure. */
export class LogServiceError extends ProvenantError {
  declare readonly code: LogServiceErrorCode;

  constructor(code: LogServiceErrorCode, message: string, options: ProvenantErrorOptions = {}) {
    super(code, message, options);
  }
}

/** HTTP status for a service error code (only used at the HTTP edge). */
export function httpStatusFor(code: string): number {
  switch (code) {
    case LOG_SERVICE_ERROR_CODES.ENTRY_TOO_LARGE:
      return 413;
    case LOG_SERVICE_ERROR_CODES.NOT_FOUND:
    case LOG_SERVICE_ERROR_CODES.WITNESS_UNKNOWN_LOG:
      return 404;
    case LOG_SERVICE_ERROR_CODES.METHOD_NOT_ALLOWED:
      return 405;
    case LOG_SERVICE_ERROR_CODES.WITNESS_FORBIDDEN:
      return 403;
    case LOG_SERVICE_ERROR_CODES.WITNESS_CONFLICT:
      return 409;
    case LOG_SERVICE_ERROR_CODES.WITNESS_INCONSISTENT:
      return 422;
    case LOG_SERVICE_ERROR_CODES.CLOSED:
      return 503;
    default:
      return code.startsWith('TLOG_') || code.startsWith('JSON_') ? 400 : 500;
  }
}
