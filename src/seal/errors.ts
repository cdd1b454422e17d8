/**
 * Seal and verify errors. Codes are stable (the README lists them); `kind` decides the exit code at
 * the CLI edge: 'input' (2) for unusable input, 'verification' (1) for a seal or delivery that fails
 * a check.
 */
import { ProvenantError, type ProvenantErrorOptions } from '../core/index.js';

/** Every SEAL_* code with its meaning (one line each; copied into the README). */
export const SEAL_ERROR_CODES = {
  // keys (input)
  SEAL_KEY_UNREADABLE: 'the key file cannot be read',
  SEAL_KEY_GARBAGE: 'the key is not a PEM SPKI public key or PKCS#8 private key',
  SEAL_KEY_ENCRYPTED: 'the private key is encrypted; provide an unencrypted PKCS#8 key',
  SEAL_KEY_WRONG_TYPE: 'a private key was given where a public key is expected, or the reverse',
  SEAL_KEY_ALGORITHM: 'the key is neither Ed25519 nor ECDSA P-256',
  SEAL_KEY_EXISTS: 'keygen refuses to overwrite an existing key file (use force)',
  // meta and options (input)
  SEAL_META_INVALID: 'the --meta JSON document has unknown keys or wrong values (every issue listed with its JSON path)',
  SEAL_OPTION_INVALID: 'an option value (vendor, client, delivery id, exclude pattern) is malformed',
  SEAL_INPUT_MISSING: 'the delivery path, seal directory or bundle does not exist or cannot be read',
  SEAL_OUT_EXISTS: 'the seal directory already exists (use force to replace it)',
  SEAL_OUT_INSIDE_DELIVERY: 'the seal directory would be inside the delivery it seals',
  SEAL_EMPTY_DELIVERY: 'the delivery holds no files to seal',
  // delivery walk (input at seal time, verification failure at verify time)
  SEAL_PATH_SYMLINK: 'the delivery contains a symbolic link',
  SEAL_PATH_SPECIAL: 'the delivery contains a FIFO, socket or device file',
  SEAL_PATH_NAME: 'a file name in the delivery is not valid UTF-8 or contains a backslash or control character',
  // bundle (verification)
  SEAL_BUNDLE_JSON: 'the bundle is not valid JSON',
  SEAL_BUNDLE_DUPLICATE_KEY: 'the bundle JSON repeats an object key',
  SEAL_BUNDLE_MEDIA_TYPE: 'the bundle mediaType is not the Sigstore bundle v0.3 media type',
  SEAL_BUNDLE_SHAPE: 'the bundle does not have the Sigstore bundle v0.3 structure (every issue listed with its JSON path)',
  SEAL_BUNDLE_NO_MATERIAL: 'the bundle has no verificationMaterial',
  SEAL_BUNDLE_NO_ENVELOPE: 'the bundle has no DSSE envelope (message signatures are not supported)',
  SEAL_BUNDLE_TLOG_MISSING: 'a keyless (certificate) bundle has no transparency log entry',
  SEAL_FILE_TOO_LARGE: 'a bundle or sidecar in the seal directory is larger than any honest seal (bundle over 64 MiB, sidecar over its signed size)',
  SEAL_BUNDLE_BASE64: 'a base64 field of the bundle (payload, signature, certificate) is not valid base64',
  // DSSE and signature (verification)
  SEAL_DSSE_PAYLOAD_TYPE: 'the DSSE payloadType is not application/vnd.in-toto+json',
  SEAL_DSSE_NO_SIGNATURES: 'the DSSE envelope carries no signature',
  SEAL_DSSE_SIGNATURE_COUNT: 'the DSSE envelope carries more than one signature (a Sigstore bundle holds exactly one; an extra one was added)',
  SEAL_SIGNATURE_INVALID: 'no DSSE signature verifies with the given public key (seal altered)',
  SEAL_WRONG_KEY: "the seal was signed by another key than the one given (its key id differs)",
  // statement (verification)
  SEAL_PAYLOAD_JSON: 'the signed payload is not valid JSON',
  SEAL_PAYLOAD_DUPLICATE_KEY: 'the signed payload JSON repeats an object key',
  SEAL_STATEMENT_TYPE: 'the payload is not an in-toto Statement v1 (_type)',
  SEAL_PREDICATE_TYPE: 'the statement predicateType is not the expected one',
  SEAL_STATEMENT_INVALID: 'the statement or its predicate is malformed (every issue listed with its JSON path)',
  SEAL_STATEMENT_SUBJECT_MISMATCH: 'the statement subjects disagree with the predicate file list',
  SEAL_STATEMENT_SWAPPED: 'the signed statement belongs to another delivery than this seal (delivery id or record root differs)',
  SEAL_PATH_TRAVERSAL: "a path in the statement contains a '..' segment",
  SEAL_PATH_ABSOLUTE: 'a path in the statement is absolute',
  SEAL_PATH_INVALID: 'a path in the statement is not a normalized relative POSIX path (backslash, empty or "." segment, NUL)',
  // sidecar (verification)
  SEAL_SIDECAR_MISSING: 'the record sidecar file is missing from the seal directory',
  SEAL_SIDECAR_MALFORMED: 'the record sidecar is truncated or malformed',
  SEAL_SIDECAR_DIGEST: 'the record sidecar SHA-256 differs from the signed one (sidecar edited)',
  SEAL_SIDECAR_ROOT: 'the record sidecar does not reproduce the signed record roots or file list',
  // delivery vs statement (verification)
  SEAL_FILE_MISSING: 'a sealed file is missing from the delivery',
  SEAL_FILE_EXTRA: 'the delivery holds a file that was not sealed',
  SEAL_FILE_RENAMED: 'a sealed file is present under another name',
  SEAL_FILE_TRUNCATED: 'a file is shorter than sealed and holds a prefix of its records (or ends mid-record)',
  SEAL_FILE_SIZE: 'a file size differs from the sealed size',
  SEAL_FILE_DIGEST: 'a file SHA-256 differs from the sealed one',
  SEAL_FILE_RECORD_ROOT: "a file's record root differs from the sealed one",
  SEAL_RECORD_MODIFIED: 'a record was modified (file, 0-based index in the sealed file)',
  SEAL_RECORD_INSERTED: 'a record was inserted (file, 0-based index in the delivered file)',
  SEAL_RECORD_DELETED: 'a record was deleted (file, 0-based index in the sealed file)',
  SEAL_RECORDS_REORDERED: 'the same records are present in another order',
  SEAL_RECORD_PARSE: 'a record of a delivered file cannot be read (malformed line or row)',
  // record proofs
  SEAL_PROOF_INDEX: 'the requested file or record index is not in the seal',
  SEAL_PROOF_RECORD_CHANGED: 'the delivered record differs from the sealed one, so no proof is given',
  SEAL_PROOF_INVALID: 'the inclusion proof is malformed or does not lead to the signed record root',
  SEAL_PROOF_RECORD_MISMATCH: 'the given record does not hash to the record digest in the proof',
  SEAL_PROOF_ROOT_MISMATCH: 'the proof names another record root than the signed statement',
} as const;

export type SealErrorCode = keyof typeof SEAL_ERROR_CODES;

/** Coded error of the seal capability. */
export class SealError extends ProvenantError {
  declare readonly code: SealErrorCode;
  constructor(code: SealErrorCode, message: string, options: ProvenantErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A verification failure (exit 1), as data in a result or thrown where no result exists. */
export function verificationError(code: SealErrorCode, message: string, options: Omit<ProvenantErrorOptions, 'kind'> = {}): SealError {
  return new SealError(code, message, { ...options, kind: 'verification' });
}
