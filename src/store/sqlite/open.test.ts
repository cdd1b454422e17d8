/** SQLite-specific behaviour: where the file lives, its permissions, and refusing files we cannot trust. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { sha256, sha256Hex } from '../../core/index.js';
import { defaultStorePath, openStore, provenantHome } from '../home.js';
import { StoreError } from '../errors.js';
import type { StoreErrorCode } from '../errors.js';
import type { DeliveryRecord, RecordRef } from '../types.js';
import { createSqliteStore } from './index.js';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS } from './migrations.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-open-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${n++}`, 'provenant.db');

function delivery(id: string, recordCount: number): DeliveryRecord {
  return {
    id,
    vendor: 'v',
    client: 'c',
    status: 'sealed',
    envelopeSha256: sha256Hex(`env:${id}`),
    recordRoot: sha256Hex(`root:${id}`),
    recordSetRoot: sha256Hex(`set:${id}`),
    recordCount,
    fileCount: recordCount > 0 ? 1 : 0,
    keyId: '0011223344556677',
    sealedAt: '2026-01-01T00:00:00Z',
    meta: {},
  };
}

function* records(id: string, count: number): Iterable<RecordRef> {
  for (let i = 0; i < count; i++) yield { digest: sha256(`${id}:${i}`), file: 'a.jsonl', index: i };
}

async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode, mention?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (mention) assert.match(err.message, mention);
    return true;
  });
}

describe('sqlite store file', () => {
  test('a new store is private: folder 0700, file 0600, WAL journal, current schema', async () => {
    const path = fresh();
    const store = await createSqliteStore({ path });
    assert.equal(store.location, path);
    assert.equal(await store.schemaVersion(), LATEST_VERSION);
    await store.putDelivery(delivery('d', 3), records('d', 3));
    await store.close();
    assert.equal(statSync(join(path, '..')).mode & 0o777 & ~0o700, 0);
    assert.equal(statSync(path).mode & 0o077, 0, 'no access for group or others');
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(raw.pragma('application_id', { simple: true }), APPLICATION_ID);
      assert.deepEqual(
        raw.prepare('SELECT version, name FROM schema_version ORDER BY version').all(),
        MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
      );
      // Digests are 32-byte BLOBs, not hex text.
      assert.deepEqual(raw.prepare('SELECT DISTINCT typeof(digest) AS t, length(digest) AS l FROM records').all(), [
        { t: 'blob', l: 32 },
      ]);
    } finally {
      raw.close();
    }
  });

  test('reopening applies no migration twice', async () => {
    const path = fresh();
    await (await createSqliteStore({ path })).close();
    await (await createSqliteStore({ path })).close();
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(raw.prepare('SELECT count(*) FROM schema_version').pluck().get(), MIGRATIONS.length);
    } finally {
      raw.close();
    }
  });

  test('a file that is not SQLite is refused with STORE_CORRUPT and left untouched', async () => {
    const path = fresh();
    mkdirSync(join(path, '..'), { recursive: true });
    const junk = Buffer.from('{"this is": "a JSON file, not a database"}\n'.repeat(200));
    writeFileSync(path, junk);
    await rejectsWith(createSqliteStore({ path }), 'STORE_CORRUPT', /move it aside/);
    assert.deepEqual(readFileSync(path), junk);
  });

  test('a truncated store is reported as STORE_CORRUPT, not as a crash', async () => {
    const path = fresh();
    const store = await createSqliteStore({ path });
    await store.putDelivery(delivery('d', 20000), records('d', 20000));
    await store.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    await assert.rejects(
      (async () => {
        const s = await createSqliteStore({ path });
        try {
          await s.countRecords('d');
          await s.findRecords(sha256('d:19999'));
          await s.putDelivery(delivery('e', 20000), records('e', 20000));
        } finally {
          await s.close();
        }
      })(),
      (err: unknown) => err instanceof StoreError && err.code === 'STORE_CORRUPT',
    );
  });

  test('another program\'s SQLite database is refused with STORE_FOREIGN_DATABASE and left untouched', async () => {
    const path = fresh();
    mkdirSync(join(path, '..'), { recursive: true });
    const other = new Database(path);
    other.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (\'keep me\')');
    other.close();
    const before = readFileSync(path);
    await rejectsWith(createSqliteStore({ path }), 'STORE_FOREIGN_DATABASE');
    assert.deepEqual(readFileSync(path), before);
  });

  test('a store written by a newer schema is refused with STORE_SCHEMA_TOO_NEW', async () => {
    const path = fresh();
    await (await createSqliteStore({ path })).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(LATEST_VERSION + 1, 'from the future', '2030-01-01T00:00:00Z');
    raw.close();
    await rejectsWith(createSqliteStore({ path }), 'STORE_SCHEMA_TOO_NEW', /upgrade Provenant/);
  });

  test('a store path that is a folder is refused with STORE_IO', async () => {
    const path = fresh();
    mkdirSync(path, { recursive: true });
    await rejectsWith(createSqliteStore({ path }), 'STORE_IO');
  });

  test('metadata altered on disk is reported as STORE_CORRUPT', async () => {
    const path = fresh();
    const store = await createSqliteStore({ path });
    await store.putDelivery(delivery('d', 0), []);
    await store.close();
    const raw = new Database(path);
    raw.prepare(`UPDATE deliveries SET meta = '{"broken'`).run();
    raw.close();
    const again = await createSqliteStore({ path });
    try {
      await rejectsWith(again.getDelivery('d'), 'STORE_CORRUPT');
    } finally {
      await again.close();
    }
  });

  test('a write blocked by another process\'s lock fails with STORE_BUSY and leaves nothing', async () => {
    const path = fresh();
    const store = await createSqliteStore({ path, busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await rejectsWith(store.putDelivery(delivery('d', 2), records('d', 2)), 'STORE_BUSY');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.equal(await store.getDelivery('d'), undefined);
    assert.equal((await store.putDelivery(delivery('d', 2), records('d', 2))).inserted, true);
    await store.close();
  });
});

describe('default store location', () => {
  test('PROVENANT_HOME decides the folder; ./.provenant otherwise', () => {
    assert.equal(defaultStorePath({ PROVENANT_HOME: '/srv/prov' }), '/srv/prov/provenant.db');
    assert.equal(defaultStorePath({}), resolve('.provenant', 'provenant.db'));
    assert.equal(defaultStorePath({ PROVENANT_HOME: '' }), resolve('.provenant', 'provenant.db'));
    assert.equal(provenantHome({ PROVENANT_HOME: 'rel/home' }), resolve('rel/home'));
  });

  test('openStore creates the home folder with mode 0700 and the database in it', async () => {
    const home = join(root, 'home-a', 'nested');
    const store = await openStore({ env: { PROVENANT_HOME: home }, synchronous: 'normal' });
    try {
      assert.equal(store.location, join(home, 'provenant.db'));
      assert.equal(statSync(home).mode & 0o077, 0);
      assert.equal(statSync(join(home, 'provenant.db')).mode & 0o077, 0);
    } finally {
      await store.close();
    }
  });

  test('openStore reports an unusable home as STORE_IO', async () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    await rejectsWith(openStore({ env: { PROVENANT_HOME: join(file, 'home') } }), 'STORE_IO');
  });
});
