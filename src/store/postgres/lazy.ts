/**
 * Entry points that load the PostgreSQL client (`pg`, ~100 ms to import) only when a PostgreSQL
 * backend is actually opened, so every command on the embedded SQLite default starts as fast as
 * before. Type imports are erased at build time.
 */
import type { LogStorage } from '../../tlog/index.js';
import type { PostgresLogStorageOptions } from '../log/postgres-log-storage.js';
import type { Store } from '../types.js';
import type { PostgresStoreOptions } from './postgres-store.js';

/** Opens (creating the schema and migrating if needed) a PostgreSQL store. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const driver = await import('./postgres-store.js');
  return driver.createPostgresStore(options);
}

/** Opens (creating the schema if needed) a PostgreSQL transparency-log store. */
export async function createPostgresLogStorage(options: PostgresLogStorageOptions): Promise<LogStorage> {
  const driver = await import('../log/postgres-log-storage.js');
  return driver.createPostgresLogStorage(options);
}
