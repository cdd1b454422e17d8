/**
 * Where the store lives: a PostgreSQL database when a postgres:// URL is given (option `url`, else
 * PROVENANT_DATABASE_URL); otherwise the embedded SQLite file $PROVENANT_HOME/provenant.db, else
 * ./.provenant/provenant.db. On PostgreSQL the tables live in the schema PROVENANT_DATABASE_SCHEMA
 * (default 'provenant'), so several stores can share one database.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError } from './errors.js';
import { createPostgresStore } from './postgres/lazy.js';
import { POSTGRES_URL, redactUrl } from './postgres/url.js';
import { createSqliteStore } from './sqlite/index.js';
import type { SqliteStoreOptions } from './sqlite/index.js';
import type { Store } from './types.js';

/** Name of the database file inside the Provenant home folder. */
export const STORE_FILE_NAME = 'provenant.db';

/** The Provenant home folder: PROVENANT_HOME when set and non-empty, else `./.provenant`, absolute. */
export function provenantHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['PROVENANT_HOME'];
  return resolve(home !== undefined && home !== '' ? home : '.provenant');
}

/** Absolute path of the default store file. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(provenantHome(env), STORE_FILE_NAME);
}

/** Options of openStore: an explicit path or url wins over the environment. */
export interface OpenStoreOptions extends Partial<SqliteStoreOptions> {
  readonly env?: NodeJS.ProcessEnv;
  /** Database URL (postgres:// or postgresql://); wins over PROVENANT_DATABASE_URL. */
  readonly url?: string;
  /** PostgreSQL schema holding the tables (default 'provenant'); ignored for SQLite. */
  readonly schema?: string;
}

/** The database URL to use, if any: the option, else a non-empty PROVENANT_DATABASE_URL. */
export function storeUrl(options: Pick<OpenStoreOptions, 'env' | 'url' | 'path'> = {}): string | undefined {
  if (options.path !== undefined) return undefined;
  if (options.url !== undefined) return options.url;
  const fromEnv = (options.env ?? process.env)['PROVENANT_DATABASE_URL'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
}

/** The PostgreSQL schema to use: the option, else a non-empty PROVENANT_DATABASE_SCHEMA, else the default. */
export function storeSchema(options: Pick<OpenStoreOptions, 'env' | 'schema'> = {}): string | undefined {
  if (options.schema !== undefined) return options.schema;
  const fromEnv = (options.env ?? process.env)['PROVENANT_DATABASE_SCHEMA'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
}

/**
 * Opens the store: PostgreSQL when a database URL is given (option or PROVENANT_DATABASE_URL),
 * else SQLite at `path` or defaultStorePath(), creating its folder with mode 0700.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const { env, path, url: _url, schema: _schema, ...rest } = options;
  const schema = storeSchema(options);
  if (path !== undefined && options.url !== undefined) {
    throw new StoreError('STORE_INVALID_ARGUMENT', 'give either a store path (SQLite) or a database URL (PostgreSQL), not both');
  }
  const url = storeUrl(options);
  if (url !== undefined) {
    if (typeof url !== 'string' || !POSTGRES_URL.test(url)) {
      throw new StoreError(
        'STORE_BAD_URL',
        `store URL ${redactUrl(String(url))}${options.url === undefined ? ' (from PROVENANT_DATABASE_URL)' : ''} is not supported; use postgres://USER@HOST:PORT/DATABASE, or no URL for the embedded SQLite store`,
        { kind: 'input' },
      );
    }
    return createPostgresStore({ url, ...(schema !== undefined ? { schema } : {}) });
  }
  const file = path ?? defaultStorePath(env);
  if (path === undefined) {
    const home = provenantHome(env);
    try {
      // The home folder holds a database naming vendors and clients: private to the user.
      mkdirSync(home, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StoreError('STORE_IO', `cannot create the Provenant home folder; check PROVENANT_HOME and its permissions`, {
        cause: err,
        location: { file: home },
      });
    }
  }
  return createSqliteStore({ ...rest, path: file });
}
