/** SQLite driver (embedded default). */
export { createSqliteStore } from './sqlite-store.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { LATEST_VERSION as SQLITE_SCHEMA_VERSION } from './migrations.js';
