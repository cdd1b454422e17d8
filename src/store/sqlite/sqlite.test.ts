/** Runs the Store contract against the SQLite driver, on a file and in memory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreContract } from '../contract.js';
import { createSqliteStore } from './index.js';

runStoreContract('sqlite (file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-store-'));
  const path = join(dir, 'provenant.db');
  return {
    // 'normal' only spares the test machine fsyncs; atomicity does not depend on it.
    open: () => createSqliteStore({ path, synchronous: 'normal' }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});
