/** The PostgreSQL log store against the shared LogStorage contract, plus driver-specific checks. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sha256 } from '../../core/index.js';
import { runLogStorageContract } from '../../tlog/index.js';
import { adminPool, dropSchema, findTestDatabase, freshSchema } from '../postgres/pg-fixture.js';
import { createPostgresLogStorage } from './postgres-log-storage.js';

const found = await findTestDatabase();

const cp = (size: number, tag: string) => ({ size, rootHash: sha256(`root-${size}-${tag}`), note: `note ${size} ${tag}\n` });

if ('skip' in found) {
  test('LogStorage contract: postgres', (t) => {
    t.skip(found.skip);
  });
} else {
  const { url } = found;
  const admin = adminPool(url);
  after(() => admin.end());

  runLogStorageContract('postgres', async () => {
    const schema = freshSchema('provenant_test_log');
    return {
      open: () => createPostgresLogStorage({ url, schema }),
      dispose: () => dropSchema(admin, schema),
    };
  });

  describe('postgres log store', () => {
    test('two sequencers appending at the same size: exactly one batch wins, the other is TLOG_STORE_CONFLICT', async () => {
      const schema = freshSchema('provenant_test_log');
      const a = await createPostgresLogStorage({ url, schema });
      const b = await createPostgresLogStorage({ url, schema });
      try {
        for (let round = 0; round < 5; round++) {
          const start = round;
          const results = await Promise.allSettled([
            a.appendBatch({ startIndex: start, entries: [Buffer.from(`a${round}`)], nodes: [], checkpoint: cp(start + 1, 'a') }),
            b.appendBatch({ startIndex: start, entries: [Buffer.from(`b${round}`)], nodes: [], checkpoint: cp(start + 1, 'b') }),
          ]);
          const won = results.filter((r) => r.status === 'fulfilled').length;
          assert.equal(won, 1, `round ${round}: ${won} winners`);
          const lost = results.find((r) => r.status === 'rejected');
          assert.equal((lost?.reason as { code?: string }).code, 'TLOG_STORE_CONFLICT');
        }
        assert.equal((await a.latestCheckpoint())?.size, 5);
        assert.equal((await b.readEntries(0, 5)).length, 5);
      } finally {
        await a.close();
        await b.close();
        await dropSchema(admin, schema);
      }
    });

    test("a schema holding another program's tables is refused and left untouched", async () => {
      const schema = freshSchema('provenant_test_log');
      await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.notes (body text); INSERT INTO ${schema}.notes VALUES ('keep me')`);
      try {
        await assert.rejects(createPostgresLogStorage({ url, schema }), { code: 'TLOG_STORE_CORRUPT' });
        const tables = await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema]);
        assert.deepEqual(tables.rows, [{ table_name: 'notes' }]);
      } finally {
        await dropSchema(admin, schema);
      }
    });

    test('the Store schema is not mistaken for a log (and vice versa, see the store tests)', async () => {
      const { createPostgresStore } = await import('../postgres/index.js');
      const schema = freshSchema();
      const store = await createPostgresStore({ url, schema });
      await store.close();
      try {
        await assert.rejects(createPostgresLogStorage({ url, schema }), { code: 'TLOG_STORE_CORRUPT' });
      } finally {
        await dropSchema(admin, schema);
      }
    });

    test('an unreachable server is TLOG_STORE_FAILURE naming the URL without its password', async () => {
      await assert.rejects(createPostgresLogStorage({ url: 'postgres://ops:hunter2secret@127.0.0.1:1/log', connectTimeoutMs: 2000 }), (err: unknown) => {
        const e = err as { code?: string; message: string };
        assert.equal(e.code, 'TLOG_STORE_FAILURE');
        assert.match(e.message, /cannot reach PostgreSQL at postgres:\/\/ops@127\.0\.0\.1:1\/log/);
        assert.doesNotMatch(e.message, /hunter2secret/);
        return true;
      });
    });
  });
}
