/** store: the Store contract, its SQLite driver, the default location, seal registration.
 * Backends' shared contract suite: ./contract.ts (kept out of this surface: it loads node:test). */
export type {
  DeliveryFilter,
  DeliveryRecord,
  DeliveryStatus,
  DigestInput,
  PutDeliveryResult,
  RecordLocation,
  RecordMatch,
  RecordRef,
  RecordSource,
  Store,
  VerificationEvent,
} from './types.js';
export { StoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { createSqliteStore, SQLITE_SCHEMA_VERSION } from './sqlite/index.js';
export type { SqliteStoreOptions } from './sqlite/index.js';
export { defaultStorePath, openStore, provenantHome, STORE_FILE_NAME } from './home.js';
export type { OpenStoreOptions } from './home.js';
export { registerSeal, type RegisterSealOptions } from './register.js';
export { createSqliteLogStorage, openSqliteLogDir, type SqliteLogStorageOptions } from './log/index.js';
export { createSqliteLineageStore, type SqliteLineageStore } from './sqlite/lineage.js';
export {
  createPostgresLogStorage,
  createPostgresStore,
  DEFAULT_PG_LOG_SCHEMA,
  DEFAULT_PG_SCHEMA,
  POSTGRES_SCHEMA_VERSION,
} from './postgres/index.js';
export type { PostgresLogStorageOptions, PostgresStoreOptions } from './postgres/index.js';
export { storeUrl } from './home.js';
export { createSqliteFindingStore, type SqliteFindingStore } from './sqlite/findings.js';
export { storeSchema } from './home.js';
export { openFindingStore, openLineageStore, type ClosableFindingIndex, type LineageBackedStore, type OpenLineageOptions } from './open-lineage.js';
export { createPostgresFindingStore, createPostgresLineageStore } from './postgres/lazy.js';
export type { PostgresFindingStore } from './postgres/findings.js';
export type { PostgresLineageStore } from './postgres/lineage.js';
