/** Helpers shared by the lineage command files: opening the store with its lineage part. */
import { openFindingStore, openLineageStore, type ClosableFindingIndex, type LineageBackedStore } from '../../store/index.js';
import type { Invocation } from '../command.js';
import { homeDir } from './shared.js';

/** Runs `fn` with the lineage store (PROVENANT_DATABASE_URL, else $PROVENANT_HOME, default ./.provenant), closing it after. */
export async function withLineage<T>(inv: Invocation, fn: (store: LineageBackedStore) => Promise<T>): Promise<T> {
  const store = await openLineageStore({ env: inv.io.env, home: homeDir(inv) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Runs `fn` with the findings index of the same store, closing it after. */
export async function withFindings<T>(inv: Invocation, fn: (findings: ClosableFindingIndex) => Promise<T>): Promise<T> {
  const findings = await openFindingStore({ env: inv.io.env, home: homeDir(inv) });
  try {
    return await fn(findings);
  } finally {
    await findings.close();
  }
}

export const WINDOW_OPTIONS = {
  from: { type: 'string', arg: 'TIME', help: 'window start (RFC 3339 or YYYY-MM-DD, inclusive)' },
  to: { type: 'string', arg: 'TIME', help: 'window end (RFC 3339 or YYYY-MM-DD, exclusive)' },
} as const;
