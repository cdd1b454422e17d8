/**
 * seal: keys, DSSE, in-toto statement, Sigstore bundle, record sidecar; seal, verify (with record
 * diff) and record inclusion proofs (DESIGN §3–4).
 */
export { SealError, SEAL_ERROR_CODES, type SealErrorCode } from './errors.js';
export {
  generateKeyPair,
  writeKeyPair,
  loadPrivateKey,
  loadPublicKey,
  readKeyFile,
  keyIdOf,
  keyTypeOf,
  toPrivateKey,
  toPublicKey,
  type KeyType,
  type PemKeyPair,
  type WriteKeyPairOptions,
} from './keys.js';
export {
  pae,
  createKeySigner,
  signEnvelope,
  verifyEnvelope,
  verifySignature,
  IN_TOTO_PAYLOAD_TYPE,
  type DsseEnvelope,
  type DsseSignature,
  type Signer,
} from './dsse.js';
export {
  STATEMENT_TYPE,
  DELIVERY_PREDICATE_TYPE,
  OMS_PREDICATE_TYPE,
  SIDECAR_FORMAT,
  DELIVERY_ID_PATTERN,
  buildStatement,
  serializeStatement,
  parseDeliveryStatement,
  parseInTotoStatement,
  parseMeta,
  checkRelativePath,
  comparePaths,
  type DeliveryFile,
  type DeliveryMeta,
  type DeliveryPredicate,
  type DeliveryStatement,
  type InTotoStatement,
  type Subject,
} from './statement.js';
export { BUNDLE_MEDIA_TYPE, buildBundle, serializeBundle, parseBundle, type ParsedBundle, type ParsedSignature, type VerificationMaterial } from './bundle.js';
export { SIDECAR_NAME, SidecarWriter, parseSidecar, type Sidecar, type SidecarFile } from './sidecar.js';
export { compileExcludes, walkDelivery, type WalkedFile, type WalkResult } from './walk.js';
export { diffDigests, type RecordDiff } from './diff.js';
export { openSeal, envelopeSha256, type OpenedSeal } from './open.js';
export { sealDelivery, deriveDeliveryId, BUNDLE_NAME, TOOL, type SealOptions, type SealProgress, type SealSummary } from './seal.js';
export {
  verifyDelivery,
  type VerifyOptions,
  type VerifyResult,
  type VerifyIssue,
  type VerifyDiff,
  type RecordRef,
  type FileReport,
  type FileStatus,
  type StatementSummary,
  type AuthenticatedSeal,
} from './verify.js';
export {
  proveRecord,
  verifyRecordProof,
  verifyInclusionProof,
  type ProveOptions,
  type RecordProof,
  type VerifyRecordProofOptions,
  type VerifyRecordProofResult,
} from './prove.js';
