/** The SQLite log store against the shared LogStorage contract, plus driver-specific checks. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { runLogStorageContract } from '../../tlog/index.js';
import { createSqliteLogStorage } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-logstore-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

runLogStorageContract('sqlite', async () => {
  const dir = join(root, `c${n++}`);
  return {
    open: () => createSqliteLogStorage({ path: join(dir, 'log.db'), synchronous: 'normal' }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

test('the store file is created private (0600)', async () => {
  const path = join(root, 'perm', 'log.db');
  const s = await createSqliteLogStorage({ path });
  await s.close();
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('a file that is not a database is refused with TLOG_STORE_CORRUPT', async () => {
  const path = join(root, 'junk.db');
  writeFileSync(path, 'this is not sqlite'.repeat(100));
  await assert.rejects(createSqliteLogStorage({ path }), { code: 'TLOG_STORE_CORRUPT' });
});

test("another program's database is refused", async () => {
  const path = join(root, 'foreign.db');
  const db = new Database(path);
  db.exec('CREATE TABLE t (x)');
  db.close();
  await assert.rejects(createSqliteLogStorage({ path }), { code: 'TLOG_STORE_CORRUPT' });
});
