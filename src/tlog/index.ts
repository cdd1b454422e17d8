/**
 * tlog: transparency-log primitives. RFC 9162 Merkle proofs (verify, and generate from stored
 * nodes), C2SP signed-note keys and notes, tlog-checkpoint, tlog-cosignature v1 witness
 * policies, tlog-tiles paths and contents, and tlog-proof offline receipts.
 */
export { LOG_ERROR_CODES, LogError, type LogErrorCode } from './errors.js';
export {
  HASH_SIZE,
  consistencyProofFor,
  consistencyProofPlan,
  inclusionProofFor,
  inclusionProofPlan,
  nodesCompletedByAppend,
  perfectSubtrees,
  rootFromInclusionProof,
  treeRootFor,
  treeRootPlan,
  verifyConsistency,
  verifyInclusion,
  type GetNode,
  type NodeId,
  type NodePlan,
  type StoredNode,
} from './merkle.js';
export {
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  computeKeyId,
  cosignatureMessage,
  cosignatureTimestamp,
  createNoteSigner,
  createNoteVerifier,
  formatKeyId,
  formatSignerKey,
  formatVerifierKey,
  generateNoteKey,
  isValidKeyName,
  parseSignerKey,
  parseVerifierKey,
  type KeyedNoteSigner,
  type NoteSignatureType,
  type NoteSigner,
  type NoteVerifier,
  type SignerOptions,
} from './keys.js';
export {
  addSignatures,
  checkNoteText,
  formatNote,
  formatSignatureLine,
  openNote,
  parseNote,
  signNote,
  type Note,
  type NoteSignature,
  type ParseNoteOptions,
  type VerifiedNote,
} from './note.js';
export {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  type Checkpoint,
  type CheckpointPolicy,
  type Cosignature,
  type VerifiedCheckpoint,
} from './checkpoint.js';
export {
  MAX_ENTRY_SIZE,
  TILE_HEIGHT,
  TILE_WIDTH,
  decodeEntryBundle,
  decodeHashTile,
  encodeEntryBundle,
  encodeHashTile,
  encodeTileIndex,
  entriesPath,
  parseTilePath,
  tileLevelsForSize,
  tileNodes,
  tilePath,
  tilesToPublish,
  type TileLevel,
  type TilePath,
  type TileRef,
} from './tiles.js';
export {
  TLOG_PROOF_HEADER,
  formatTlogProof,
  parseTlogProof,
  verifyTlogProof,
  type TlogProof,
  type VerifiedTlogProof,
} from './receipt.js';
export * from './service/index.js';
export { RECEIPT_NAME, LOG_ENTRY_NAME, sealLogEntry, logSeal, verifySealReceipt, type LogSealResult, type VerifySealReceiptOptions } from './delivery.js';
