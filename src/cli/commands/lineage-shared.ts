/** Helpers shared by the lineage command files: opening the store with its lineage part. */
import { join } from 'node:path';
import { createSqliteLineageStore, STORE_FILE_NAME, type SqliteLineageStore } from '../../store/index.js';
import type { Invocation } from '../command.js';
import { homeDir } from './shared.js';

/** Runs `fn` with the lineage store at $PROVENANT_HOME (default ./.provenant), closing it after. */
export async function withLineage<T>(inv: Invocation, fn: (store: SqliteLineageStore) => Promise<T>): Promise<T> {
  const store = await createSqliteLineageStore({ path: join(homeDir(inv), STORE_FILE_NAME) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export const WINDOW_OPTIONS = {
  from: { type: 'string', arg: 'TIME', help: 'window start (RFC 3339 or YYYY-MM-DD, inclusive)' },
  to: { type: 'string', arg: 'TIME', help: 'window end (RFC 3339 or YYYY-MM-DD, exclusive)' },
} as const;
