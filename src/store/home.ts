/** Where the embedded store lives by default: $PROVENANT_HOME/provenant.db, else ./.provenant/. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError } from './errors.js';
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

/** Options of openStore: an explicit path wins over the environment. */
export interface OpenStoreOptions extends Partial<SqliteStoreOptions> {
  readonly env?: NodeJS.ProcessEnv;
}

/** Opens the default store (SQLite at defaultStorePath()), creating its folder with mode 0700. */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const { env, path, ...rest } = options;
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
