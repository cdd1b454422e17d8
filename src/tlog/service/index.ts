/**
 * tlog/service: the running log. Sequencer (batched, atomic appends), HTTP server (C2SP
 * tlog-tiles), witness (C2SP tlog-witness), client (submitEntry → tlog-proof receipt), offline
 * receipt verification with verifier memory (split-view / rollback alarms), the digest-only
 * entry format, and the LogStorage contract its drivers implement.
 */
export { LOG_SERVICE_ERROR_CODES, LogServiceError, httpStatusFor, type LogServiceErrorCode } from './errors.js';
export {
  COMMITMENT_SALT_SIZE,
  LOG_ENTRY_VERSION,
  MAX_SUBJECTS,
  commitName,
  encodeLogEntry,
  generateCommitmentSalt,
  openCommitment,
  parseLogEntry,
  type LogEntry,
} from './entry.js';
export type { AppendBatch, LogStorage, OpenLogStorage, StoredCheckpoint, WitnessState } from './storage.js';
export { runLogStorageContract, type LogStorageFixture } from './storage-contract.js';
export { createMemoryLogStorage } from './memory-storage.js';
export { readTile, storedConsistencyProof, storedInclusionProof, storedTreeRoot } from './nodes.js';
export { createLogSequencer, type AddResult, type Cosigner, type LogSequencer, type LogSequencerOptions } from './sequencer.js';
export { listen, type RunningServer } from './http.js';
export { createLogHandler, startLogServer, type LogServerOptions } from './server.js';
export {
  MAX_ADD_CHECKPOINT_BYTES,
  TLOG_SIZE_CONTENT_TYPE,
  createWitness,
  createWitnessHandler,
  parseAddCheckpoint,
  requestCosignatures,
  startWitnessServer,
  type ProveConsistency,
  type Witness,
  type WitnessEndpoint,
  type WitnessOptions,
  type WitnessResponse,
} from './witness.js';
export {
  LOG_DB_FILE,
  LOG_KEY_FILE,
  LOG_VKEY_FILE,
  WITNESS_DB_FILE,
  WITNESS_KEY_FILE,
  defaultLogDir,
  defaultWitnessDir,
  initLogDir,
  provenantHomeDir,
  readLogDir,
  readOrCreateWitnessKey,
  type LogDir,
} from './logdir.js';
export { isLogUrl, submitEntry, type SubmitOptions, type SubmitResult } from './client.js';
export {
  dirTileFetcher,
  httpTileFetcher,
  readNodesFromTiles,
  tileConsistencyProof,
  tileInclusionProof,
  tileTreeRoot,
  type FetchTile,
} from './tile-reader.js';
export {
  TRUSTED_CHECKPOINTS_FILE,
  TrustedCheckpoints,
  type ConsistencyStatus,
  type ObserveOptions,
  type ObserveResult,
  type TrustedCheckpoint,
} from './trusted.js';
export { checkLogHead, verifyReceiptOffline, type VerifiedReceipt, type VerifyReceiptOptions } from './verify.js';
