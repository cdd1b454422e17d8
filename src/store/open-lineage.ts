/**
 * Opening the store's lineage part and findings index on whichever backend holds the store:
 * PostgreSQL when a database URL is given (option, else PROVENANT_DATABASE_URL; schema from the
 * option, else PROVENANT_DATABASE_SCHEMA), else the SQLite file $PROVENANT_HOME/provenant.db. The
 * same choice openStore makes, so every command sees the same store. `pg` is loaded only for
 * PostgreSQL.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FindingIndex, LineageStore } from '../lineage/index.js';
import { StoreError } from './errors.js';
import { provenantHome, STORE_FILE_NAME, storeSchema, storeUrl } from './home.js';
import { POSTGRES_URL, redactUrl } from './postgres/url.js';
import type { Store } from './types.js';

/** Where to open: the environment, and the home folder (wins over PROVENANT_HOME) for SQLite. */
export interface OpenLineageOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Provenant home folder holding the SQLite store; default provenantHome(env). */
  readonly home?: string;
  /** Database URL (postgres://); wins over PROVENANT_DATABASE_URL. */
  readonly url?: string;
  /** PostgreSQL schema; wins over PROVENANT_DATABASE_SCHEMA. */
  readonly schema?: string;
}

/** A Store with its lineage part. */
export type LineageBackedStore = Store & LineageStore;

/** A findings index to close when done. */
export interface ClosableFindingIndex extends FindingIndex {
  readonly location: string;
  close(): Promise<void>;
}

type Target = { readonly kind: 'postgres'; readonly url: string; readonly schema?: string } | { readonly kind: 'sqlite'; readonly path: string };

function target(o: OpenLineageOptions): Target {
  const url = storeUrl({ ...(o.env !== undefined ? { env: o.env } : {}), ...(o.url !== undefined ? { url: o.url } : {}) });
  if (url !== undefined) {
    if (!POSTGRES_URL.test(url)) {
      throw new StoreError(
        'STORE_BAD_URL',
        `store URL ${redactUrl(url)}${o.url === undefined ? ' (from PROVENANT_DATABASE_URL)' : ''} is not supported; use postgres://USER@HOST:PORT/DATABASE, or no URL for the embedded SQLite store`,
        { kind: 'input' },
      );
    }
    const schema = storeSchema({ ...(o.env !== undefined ? { env: o.env } : {}), ...(o.schema !== undefined ? { schema: o.schema } : {}) });
    return { kind: 'postgres', url, ...(schema !== undefined ? { schema } : {}) };
  }
  const home = o.home ?? provenantHome(o.env);
  try {
    // The home folder holds a database naming vendors and clients: private to the user.
    mkdirSync(home, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StoreError('STORE_IO', 'cannot create the Provenant home folder; check PROVENANT_HOME and its permissions', { cause: err, location: { file: home } });
  }
  return { kind: 'sqlite', path: join(home, STORE_FILE_NAME) };
}

/** Opens the store with its lineage part on the configured backend. */
export async function openLineageStore(o: OpenLineageOptions = {}): Promise<LineageBackedStore> {
  const t = target(o);
  if (t.kind === 'postgres') {
    const { createPostgresLineageStore } = await import('./postgres/lineage.js');
    return createPostgresLineageStore({ url: t.url, ...(t.schema !== undefined ? { schema: t.schema } : {}) });
  }
  const { createSqliteLineageStore } = await import('./sqlite/lineage.js');
  return createSqliteLineageStore({ path: t.path });
}

/** Opens the findings index on the configured backend. */
export async function openFindingStore(o: OpenLineageOptions = {}): Promise<ClosableFindingIndex> {
  const t = target(o);
  if (t.kind === 'postgres') {
    const { createPostgresFindingStore } = await import('./postgres/findings.js');
    return createPostgresFindingStore({ url: t.url, ...(t.schema !== undefined ? { schema: t.schema } : {}) });
  }
  const { createSqliteFindingStore } = await import('./sqlite/findings.js');
  return createSqliteFindingStore({ path: t.path });
}
