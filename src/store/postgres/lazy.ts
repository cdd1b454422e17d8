/**
 * Entry points that load the PostgreSQL client (`pg`, ~100 ms to import) only when a PostgreSQL
 * backend is actually opened, so every command on the embedded SQLite default starts as fast as
 * before. Type imports are erased at build time.
 */
import type { LogStorage } from '../../tlog/index.js';
import type { PostgresLogStorageOptions } from '../log/postgres-log-storage.js';
import type { Store } from '../types.js';
import type { PostgresStoreOptions } from './postgres-store.js';
import type { PostgresFindingStore } from './findings.js';
import type { PostgresLineageStore } from './lineage.js';

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

/** Opens (migrating) a PostgreSQL store with its lineage part. */
export async function createPostgresLineageStore(options: PostgresStoreOptions): Promise<PostgresLineageStore> {
  const driver = await import('./lineage.js');
  return driver.createPostgresLineageStore(options);
}

/** Opens (migrating) a PostgreSQL store's findings index. */
export async function createPostgresFindingStore(options: PostgresStoreOptions): Promise<PostgresFindingStore> {
  const driver = await import('./findings.js');
  return driver.createPostgresFindingStore(options);
}
