/** PostgreSQL backends of the Store and LogStorage contracts (issue 6, DESIGN §7). `pg` is loaded
 * on first use (see lazy.ts). */
export { createPostgresLogStorage, createPostgresStore } from './lazy.js';
export type { PostgresStoreOptions } from './postgres-store.js';
export type { PostgresLogStorageOptions } from '../log/postgres-log-storage.js';
export { PG_LATEST_VERSION as POSTGRES_SCHEMA_VERSION } from './migrations.js';
export { DEFAULT_PG_LOG_SCHEMA, DEFAULT_PG_SCHEMA, POSTGRES_URL, redactUrl } from './url.js';
