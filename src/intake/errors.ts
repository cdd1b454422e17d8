/** IntakeError: failures of the intake capability carry one of the stable INTAKE_* codes. */
import { ProvenantError } from '../core/index.js';
import type { ProvenantErrorOptions } from '../core/index.js';

/**
 * Stable codes. INTAKE_TRUST_* are thrown (bad input, exit 2); the others name why a delivery was
 * rejected and appear in the summary's `rejected.code` (exit 1), never as exceptions.
 */
export const INTAKE_ERROR_CODES = [
  /** The trust file is malformed: every issue is listed with its path (details.issues). */
  'INTAKE_TRUST_INVALID',
  /** The trust file, or a key file it names, cannot be read. */
  'INTAKE_TRUST_UNREADABLE',
  /** The seal directory or its bundle cannot be read or parsed. */
  'INTAKE_SEAL_UNREADABLE',
  /** The bundle was signed by a key the trust file does not list. */
  'INTAKE_KEY_UNKNOWN',
  /** The statement names another vendor than the one the signing key belongs to. */
  'INTAKE_VENDOR_MISMATCH',
  /** The delivery was sealed outside the key's [notBefore, notAfter) window. */
  'INTAKE_KEY_NOT_VALID',
  /** The key was revoked before the delivery's log time, or the log time cannot be proven. */
  'INTAKE_KEY_REVOKED',
  /** Signature, files or records do not match the seal (the record diff is in the summary). */
  'INTAKE_SEAL_INVALID',
  /** A log receipt is required (requireLog, or a revoked key) but the seal has none. */
  'INTAKE_LOG_REQUIRED',
  /** The log receipt does not verify against any trusted log (and its witnesses). */
  'INTAKE_LOG_INVALID',
  /** The vendor is paused (provenant vendor pause): no intake until it is resumed. */
  'INTAKE_VENDOR_PAUSED',
] as const;

export type IntakeErrorCode = (typeof INTAKE_ERROR_CODES)[number];

/** Coded error of the intake capability. */
export class IntakeError extends ProvenantError {
  declare readonly code: IntakeErrorCode;

  constructor(code: IntakeErrorCode, message: string, options: ProvenantErrorOptions = {}) {
    super(code, message, options);
  }
}
