/**
 * PostgreSQL-specific behaviour: migrations and their race, refusing schemas we cannot trust,
 * connection errors a user can act on, several processes writing the same delivery, a connection
 * lost mid-delivery, and openStore choosing the backend from a URL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { sha256, sha256Hex } from '../../core/index.js';
import { StoreError } from '../errors.js';
import type { StoreErrorCode } from '../errors.js';
import { openStore, storeUrl } from '../home.js';
import type { DeliveryRecord, RecordRef, Store } from '../types.js';
import { createPostgresStore, POSTGRES_SCHEMA_VERSION } from './index.js';
import { PG_MIGRATIONS } from './migrations.js';
import { adminPool, dropSchema, findTestDatabase, freshSchema } from './pg-fixture.js';

function delivery(id: string, recordCount: number, over: Partial<DeliveryRecord> = {}): DeliveryRecord {
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
    ...over,
  };
}

function* records(id: string, count: number, file = 'a.jsonl'): Iterable<RecordRef> {
  for (let i = 0; i < count; i++) yield { digest: sha256(`${id}:${i}`), file, index: i };
}

async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode, mention?: RegExp): Promise<StoreError> {
  let caught: StoreError | undefined;
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (mention) assert.match(err.message, mention);
    caught = err;
    return true;
  });
  return caught as StoreError;
}

/** A message a user reads: one line, naming the URL, never the password. */
function assertUsable(err: StoreError, secret: string): void {
  assert.doesNotMatch(err.message, /\n/);
  assert.ok(!err.message.includes(secret), `password leaked: ${err.message}`);
  assert.ok(!JSON.stringify(err.toJSON()).includes(secret), 'password leaked into --json output');
}

const found = await findTestDatabase();

describe('store URL selection without a server', () => {
  test('storeUrl: an explicit path wins, then the url option, then a non-empty PROVENANT_DATABASE_URL', () => {
    const env = { PROVENANT_DATABASE_URL: 'postgres://db/x' };
    assert.equal(storeUrl({ env }), 'postgres://db/x');
    assert.equal(storeUrl({ env, url: 'postgresql://other/y' }), 'postgresql://other/y');
    assert.equal(storeUrl({ env, path: '/tmp/p.db' }), undefined);
    assert.equal(storeUrl({ env: { PROVENANT_DATABASE_URL: '' } }), undefined);
    assert.equal(storeUrl({ env: {} }), undefined);
  });

  test('a URL of another scheme is STORE_BAD_URL, named without its password', async () => {
    for (const url of ['mysql://root:s3cr3tpw@db/x', 'sqlite:///tmp/x.db', 'https://u:s3cr3tpw@example.com/', 'not a url s3cr3tpw']) {
      const err = await rejectsWith(openStore({ url }), 'STORE_BAD_URL', /not supported/);
      assertUsable(err, 's3cr3tpw');
      const fromEnv = await rejectsWith(openStore({ env: { PROVENANT_DATABASE_URL: url } }), 'STORE_BAD_URL', /PROVENANT_DATABASE_URL/);
      assertUsable(fromEnv, 's3cr3tpw');
    }
  });

  test('the tests use PROVENANT_TEST_DATABASE_URL as given, else skip with a note when nothing answers', async () => {
    assert.deepEqual(await findTestDatabase({ PROVENANT_TEST_DATABASE_URL: 'postgres://ci@db:5432/t' }), { url: 'postgres://ci@db:5432/t' });
    const none = await findTestDatabase({}, 'postgres://postgres:pw-hidden@127.0.0.1:1/test');
    assert.ok('skip' in none);
    assert.match(none.skip, /^PostgreSQL not reachable: .*127\.0\.0\.1:1/);
    assert.ok(!none.skip.includes('pw-hidden'));
  });

  test('a path and a URL together are refused', async () => {
    await rejectsWith(openStore({ path: '/tmp/x.db', url: 'postgres://db/x' }), 'STORE_INVALID_ARGUMENT');
  });

  test('an explicit path opens SQLite even when PROVENANT_DATABASE_URL is set; no URL means SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-pgsel-'));
    try {
      const a = await openStore({ path: join(dir, 'a.db'), env: { PROVENANT_DATABASE_URL: 'postgres://127.0.0.1:1/none' } });
      assert.equal(a.backend, 'sqlite');
      await a.close();
      const b = await openStore({ env: { PROVENANT_HOME: dir, PROVENANT_DATABASE_URL: '' } });
      assert.equal(b.backend, 'sqlite');
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('connection refused is STORE_UNREACHABLE naming host and port, without the password', async () => {
    const err = await rejectsWith(
      createPostgresStore({ url: 'postgres://ops:hunter2secret@127.0.0.1:1/prod', connectTimeoutMs: 2000 }),
      'STORE_UNREACHABLE',
      /postgres:\/\/ops@127\.0\.0\.1:1\/prod.*start the server/,
    );
    assertUsable(err, 'hunter2secret');
  });

  test('bad options are refused before connecting', async () => {
    await rejectsWith(createPostgresStore({ url: 'postgres://127.0.0.1:1/x', schema: 'Robert"; DROP TABLE x' }), 'STORE_INVALID_ARGUMENT');
    await rejectsWith(createPostgresStore({ url: 'postgres://127.0.0.1:1/x', schema: 'pg_catalog' }), 'STORE_INVALID_ARGUMENT');
    await rejectsWith(createPostgresStore({ url: 'postgres://127.0.0.1:1/x', schema: 'a'.repeat(64) }), 'STORE_INVALID_ARGUMENT');
    await rejectsWith(createPostgresStore({ url: 'mysql://127.0.0.1/x' }), 'STORE_BAD_URL');
    await rejectsWith(createPostgresStore({ url: 'postgres://host:99999999/db' }), 'STORE_BAD_URL');
  });
});

if ('skip' in found) {
  test('PostgreSQL store: server behaviour', (t) => {
    t.skip(found.skip);
  });
} else {
  const { url } = found;
  const admin = adminPool(url);
  const schemas: string[] = [];
  const schema = (): string => {
    const s = freshSchema();
    schemas.push(s);
    return s;
  };
  after(async () => {
    for (const s of schemas) await dropSchema(admin, s);
    await admin.end();
  });
  const scalar = async (sql: string, params: unknown[] = []): Promise<unknown> => Object.values((await admin.query(sql, params)).rows[0] ?? {})[0];
  /** Same database, other credentials: the URL with the user (and password) replaced. */
  const withUser = (user: string, password?: string): string => {
    const u = new URL(url);
    u.username = user;
    u.password = password ?? '';
    return u.toString();
  };

  describe('postgres store schema', () => {
    test('a new store creates its schema at the current version; digests are 32-byte bytea', async () => {
      const s = schema();
      const store = await createPostgresStore({ url, schema: s });
      try {
        assert.equal(store.backend, 'postgres');
        assert.match(store.location, new RegExp(`\\(schema ${s}\\)$`));
        assert.equal(await store.schemaVersion(), POSTGRES_SCHEMA_VERSION);
        await store.putDelivery(delivery('d', 3), records('d', 3));
      } finally {
        await store.close();
      }
      assert.deepEqual(
        (await admin.query(`SELECT version, name FROM ${s}.schema_version ORDER BY version`)).rows,
        PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
      );
      assert.deepEqual((await admin.query(`SELECT DISTINCT pg_typeof(digest)::text AS t, octet_length(digest) AS l FROM ${s}.records`)).rows, [
        { t: 'bytea', l: 32 },
      ]);
      // Nothing leaked into public.
      assert.equal(await scalar(`SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('deliveries', 'records')`), 0);
    });

    test('processes opening a fresh schema at the same moment migrate it exactly once', async () => {
      const s = schema();
      const opened = await Promise.allSettled(Array.from({ length: 5 }, () => createPostgresStore({ url, schema: s, maxConnections: 1 })));
      for (const o of opened) assert.equal(o.status, 'fulfilled', o.status === 'rejected' ? String(o.reason) : '');
      for (const o of opened) if (o.status === 'fulfilled') await o.value.close();
      assert.equal(await scalar(`SELECT count(*)::int FROM ${s}.schema_version`), PG_MIGRATIONS.length);
      // Reopening later applies nothing either.
      await (await createPostgresStore({ url, schema: s })).close();
      assert.equal(await scalar(`SELECT count(*)::int FROM ${s}.schema_version`), PG_MIGRATIONS.length);
    });

    test("a schema holding another program's tables is refused with STORE_FOREIGN_DATABASE and left untouched", async () => {
      const s = schema();
      await admin.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.notes (body text); INSERT INTO ${s}.notes VALUES ('keep me')`);
      await rejectsWith(createPostgresStore({ url, schema: s }), 'STORE_FOREIGN_DATABASE', /another program/);
      const tables = await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [s]);
      assert.deepEqual(tables.rows, [{ table_name: 'notes' }]);
    });

    test("another program's own schema_version table is not taken for ours", async () => {
      const s = schema();
      await admin.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.schema_version (version int, name text, applied_at text)`);
      await rejectsWith(createPostgresStore({ url, schema: s }), 'STORE_FOREIGN_DATABASE');
      assert.equal(await scalar(`SELECT count(*)::int FROM ${s}.schema_version`), 0);
    });

    test('a transparency-log schema is not a Store', async () => {
      const { createPostgresLogStorage } = await import('./index.js');
      const s = schema();
      await (await createPostgresLogStorage({ url, schema: s })).close();
      await rejectsWith(createPostgresStore({ url, schema: s }), 'STORE_FOREIGN_DATABASE');
    });

    test('a store migrated by a newer Provenant is refused with STORE_SCHEMA_TOO_NEW', async () => {
      const s = schema();
      await (await createPostgresStore({ url, schema: s })).close();
      await admin.query(`INSERT INTO ${s}.schema_version VALUES ($1, 'from the future', '2030-01-01T00:00:00Z')`, [POSTGRES_SCHEMA_VERSION + 1]);
      await rejectsWith(createPostgresStore({ url, schema: s }), 'STORE_SCHEMA_TOO_NEW', /upgrade Provenant/);
    });

    test('metadata altered in the database is reported as STORE_CORRUPT', async () => {
      const s = schema();
      const store = await createPostgresStore({ url, schema: s });
      try {
        await store.putDelivery(delivery('d', 0), []);
        await admin.query(`UPDATE ${s}.deliveries SET meta = '{"broken'`);
        await rejectsWith(store.getDelivery('d'), 'STORE_CORRUPT');
        await admin.query(`UPDATE ${s}.deliveries SET meta = '[1]'`);
        await rejectsWith(store.listDeliveries(), 'STORE_CORRUPT');
      } finally {
        await store.close();
      }
    });
  });

  describe('postgres connection errors', () => {
    test('an unknown role is STORE_AUTH_FAILED, one line, password hidden', async () => {
      const role = `nobody_${randomBytes(4).toString('hex')}`;
      const err = await rejectsWith(createPostgresStore({ url: withUser(role, 'pa55w0rd-xyz') }), 'STORE_AUTH_FAILED', /check the user and password/);
      assert.match(err.message, new RegExp(`postgres://${role}@`));
      assertUsable(err, 'pa55w0rd-xyz');
    });

    test('an unknown database is STORE_NO_DATABASE and says to create it', async () => {
      const u = new URL(url);
      u.pathname = `/no_such_db_${randomBytes(4).toString('hex')}`;
      u.password = 'pa55w0rd-xyz';
      const err = await rejectsWith(createPostgresStore({ url: u.toString() }), 'STORE_NO_DATABASE', /createdb/);
      assertUsable(err, 'pa55w0rd-xyz');
    });

    test('a role without CREATE rights gets STORE_IO naming the grant to give', async () => {
      const role = `provenant_ro_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      try {
        // PostgreSQL 15 no longer grants CREATE on public; the role also cannot create schemas.
        await rejectsWith(createPostgresStore({ url: withUser(role), schema: schema() }), 'STORE_IO', /grant/);
      } finally {
        await admin.query(`DROP ROLE ${role}`);
      }
    });
  });

  describe('postgres writers in several processes', () => {
    const twoStores = async (s: string): Promise<[Store, Store]> => [
      await createPostgresStore({ url, schema: s, maxConnections: 2 }),
      await createPostgresStore({ url, schema: s, maxConnections: 2 }),
    ];

    test('the same delivery put by two stores at once is stored once; the other put is a no-op', async () => {
      const s = schema();
      const [a, b] = await twoStores(s);
      try {
        const d = delivery('same', 20_000);
        const res = await Promise.all([a.putDelivery(d, records('same', 20_000)), b.putDelivery(d, records('same', 20_000))]);
        assert.deepEqual(res.map((r) => r.inserted).sort(), [false, true]);
        assert.equal(await a.countRecords('same'), 20_000);
        assert.equal(await scalar(`SELECT count(*)::int FROM ${s}.deliveries`), 1);
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('two ids racing for one envelope: one is stored, the other is STORE_CONFLICT with nothing left', async () => {
      const s = schema();
      const [a, b] = await twoStores(s);
      try {
        const env = sha256Hex('one seal');
        const results = await Promise.allSettled([
          a.putDelivery(delivery('x', 5000, { envelopeSha256: env }), records('x', 5000)),
          b.putDelivery(delivery('y', 5000, { envelopeSha256: env }), records('y', 5000)),
        ]);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        const lost = results.find((r) => r.status === 'rejected');
        assert.ok(lost?.status === 'rejected' && lost.reason instanceof StoreError && lost.reason.code === 'STORE_CONFLICT', String(lost));
        assert.equal(await scalar(`SELECT count(*)::int FROM ${s}.records`), 5000);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

  describe('postgres store robustness', () => {
    test('a file name with a NUL character is STORE_INVALID_ARGUMENT and nothing is stored', async () => {
      const store = await createPostgresStore({ url, schema: schema() });
      try {
        const rs = [...records('n', 2)];
        rs[1] = { digest: sha256('n:1'), file: 'b\u0000.jsonl', index: 0 };
        await rejectsWith(store.putDelivery(delivery('n', 2, { fileCount: 2 }), rs), 'STORE_INVALID_ARGUMENT', /NUL/);
        await rejectsWith(store.putDelivery(delivery('p', 0, { path: '/in\u0000/p' }), []), 'STORE_INVALID_ARGUMENT', /NUL/);
        assert.deepEqual(await store.listDeliveries(), []);
      } finally {
        await store.close();
      }
    });

    test("a caller's pool is used as given and not ended by close()", async () => {
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      try {
        const store = await createPostgresStore({ pool, schema: schema() });
        assert.ok(!store.location.includes(':@'), store.location);
        await store.putDelivery(delivery('d', 10), records('d', 10));
        assert.equal(await store.countRecords('d'), 10);
        await store.close();
        assert.equal((await pool.query('SELECT 1 AS one')).rows[0]?.one, 1);
      } finally {
        await pool.end();
      }
    });

    test('a connection killed mid-delivery: STORE_UNREACHABLE, nothing stored, the store keeps working', async () => {
      const app = `provenant_test_${randomBytes(4).toString('hex')}`;
      const pool = new pg.Pool({ connectionString: url, max: 2, application_name: app });
      pool.on('error', () => undefined);
      const store = await createPostgresStore({ pool, schema: schema() });
      try {
        let killed = false;
        async function* stream(): AsyncIterable<RecordRef> {
          let i = 0;
          for (const r of records('k', 50_000)) {
            if (i++ === 20_000 && !killed) {
              killed = true;
              // Let the batches already sent reach the server, then cut the writer's connection.
              await new Promise((r2) => setTimeout(r2, 50));
              const n = await scalar(`SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL`, [app]);
              assert.equal(n, 1, 'one open transaction to kill');
            }
            yield r;
          }
        }
        await rejectsWith(store.putDelivery(delivery('k', 50_000), stream()), 'STORE_UNREACHABLE');
        assert.equal(await store.getDelivery('k'), undefined);
        assert.equal(await store.countRecords('k'), 0);
        assert.equal((await store.putDelivery(delivery('k', 50_000), records('k', 50_000))).inserted, true);
        assert.equal(await store.countRecords('k'), 50_000);
      } finally {
        await store.close();
        await pool.end();
      }
    });
  });

  describe('openStore on PostgreSQL', () => {
    test('the url option and PROVENANT_DATABASE_URL (postgres:// or postgresql://) open the PostgreSQL backend', async () => {
      const s = schema();
      const a = await openStore({ url, schema: s });
      try {
        assert.equal(a.backend, 'postgres');
        await a.putDelivery(delivery('via-url', 2), records('via-url', 2));
      } finally {
        await a.close();
      }
      const alt = url.replace(/^postgres(ql)?:/i, 'postgresql:');
      const b = await openStore({ env: { PROVENANT_DATABASE_URL: alt, PROVENANT_HOME: '/nonexistent/never-created' }, schema: s });
      try {
        assert.equal(b.backend, 'postgres');
        assert.equal(await b.countRecords('via-url'), 2);
      } finally {
        await b.close();
      }
    });
  });
}
