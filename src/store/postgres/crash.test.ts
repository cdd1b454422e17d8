/**
 * Crash safety on PostgreSQL: a process killed (SIGKILL) in the middle of putDelivery leaves no
 * partial delivery, deliveries committed before the kill are intact, and no lock outlives it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CRASH_COMPLETE_COUNT, CRASH_PARTIAL_COUNT, crashDelivery, crashRecord } from '../testing/crash-fixture.js';
import { createPostgresStore } from './index.js';
import { adminPool, dropSchema, findTestDatabase, freshSchema } from './pg-fixture.js';

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));
const found = await findTestDatabase();

/** Runs the child; at each stdout line calls onLine, which may kill it. Resolves with how it ended. */
function runChild(
  url: string,
  schema: string,
  mode: 'pause' | 'run',
  onLine: (line: string, kill: () => void) => void | Promise<void>,
): Promise<{ signal: NodeJS.Signals | null; lines: string[] }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CHILD, url, schema, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      Promise.resolve(onLine(line, () => child.kill('SIGKILL'))).catch((err: unknown) => {
        child.kill('SIGKILL');
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`crash child failed (${code}): ${stderr}`));
      else resolveRun({ signal, lines });
    });
  });
}

if ('skip' in found) {
  test('postgres store killed mid-delivery', (t) => {
    t.skip(found.skip);
  });
} else {
  const admin = adminPool(found.url);
  const schemas: string[] = [];
  after(async () => {
    for (const s of schemas) await dropSchema(admin, s);
    await admin.end();
  });
  /** The test URL with an application_name, so the child's server session can be found. */
  const tagged = (): { url: string; app: string } => {
    const app = `provenant_crash_${randomBytes(4).toString('hex')}`;
    const u = new URL(found.url);
    u.searchParams.set('application_name', app);
    return { url: u.toString(), app };
  };
  const count = async (sql: string, params: unknown[] = []): Promise<number> => Number(Object.values((await admin.query(sql, params)).rows[0] ?? {})[0]);
  const rawCounts = async (s: string) => ({
    deliveries: await count(`SELECT count(*) FROM ${s}.deliveries`),
    files: await count(`SELECT count(*) FROM ${s}.delivery_files`),
    records: await count(`SELECT count(*) FROM ${s}.records`),
  });
  /** The server notices the dead client and aborts its transaction; wait until the session is gone. */
  const sessionGone = async (app: string): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      if ((await count('SELECT count(*) FROM pg_stat_activity WHERE application_name = $1', [app])) === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`the killed child's session ${app} is still open after 5 s`);
  };
  const assertCompleteIntact = async (schema: string): Promise<void> => {
    const store = await createPostgresStore({ url: found.url, schema });
    try {
      assert.deepEqual(await store.getDelivery('complete'), crashDelivery('complete', CRASH_COMPLETE_COUNT));
      assert.equal(await store.countRecords('complete'), CRASH_COMPLETE_COUNT);
      const last = crashRecord('complete', CRASH_COMPLETE_COUNT - 1, CRASH_COMPLETE_COUNT);
      assert.deepEqual(await store.findRecords(last.digest), [{ deliveryId: 'complete', file: last.file, index: last.index }]);
    } finally {
      await store.close();
    }
  };

  describe('postgres store killed mid-delivery', () => {
    test('SIGKILL inside the open transaction leaves no trace of the delivery; the earlier one is intact', async () => {
      const schema = freshSchema();
      schemas.push(schema);
      const { url, app } = tagged();
      let inTransaction = false;
      let wroteRecords = false;
      let visibleAtKill = -1;
      const { signal, lines } = await runChild(url, schema, 'pause', async (line, kill) => {
        if (line !== 'started') return;
        // Give the batches already sent time to reach the server, then prove the child is inside
        // its transaction and has written record rows in it that nobody else can see.
        await new Promise((r) => setTimeout(r, 200));
        const session = await admin.query<{ pid: number; state: string }>('SELECT pid, state FROM pg_stat_activity WHERE application_name = $1', [app]);
        const pid = session.rows[0]?.pid;
        inTransaction = session.rows.length === 1 && session.rows[0]?.state === 'idle in transaction';
        wroteRecords =
          (await count(`SELECT count(*) FROM pg_locks WHERE pid = $1 AND relation = $2::regclass AND mode = 'RowExclusiveLock' AND granted`, [pid, `${schema}.records`])) === 1;
        visibleAtKill = await count(`SELECT count(*) FROM ${schema}.records`);
        kill();
      });
      assert.equal(signal, 'SIGKILL');
      assert.deepEqual(lines, ['committed', 'started']);
      assert.ok(inTransaction, 'the child was idle in its open transaction when killed');
      assert.ok(wroteRecords, 'the child had inserted records in that transaction');
      assert.equal(visibleAtKill, CRASH_COMPLETE_COUNT, 'uncommitted records are invisible to others');
      await sessionGone(app);

      const store = await createPostgresStore({ url: found.url, schema });
      try {
        assert.equal(await store.getDelivery('partial'), undefined);
        assert.equal(await store.countRecords('partial'), 0);
        assert.deepEqual(await store.findRecords(crashRecord('partial', 0, CRASH_PARTIAL_COUNT).digest), []);
        assert.deepEqual((await store.listDeliveries()).map((d) => d.id), ['complete']);
        // No lock outlives the child: the killed delivery's id is free and takes writes at once.
        const records = [0, 1, 2, 3].map((i) => crashRecord('partial', i, 4));
        assert.equal((await store.putDelivery(crashDelivery('partial', 4), records)).inserted, true);
        assert.equal(await store.countRecords('partial'), 4);
      } finally {
        await store.close();
      }
      assert.deepEqual(await rawCounts(schema), { deliveries: 2, files: 8, records: CRASH_COMPLETE_COUNT + 4 });
      await assertCompleteIntact(schema);
    });

    test('SIGKILL at an arbitrary point of a running insert: all of the delivery or none of it', async () => {
      for (const delayMs of [5, 150]) {
        const schema = freshSchema();
        schemas.push(schema);
        const { url, app } = tagged();
        const { lines } = await runChild(url, schema, 'run', (line, kill) => {
          if (line === 'started') setTimeout(kill, delayMs);
        });
        assert.deepEqual(lines.slice(0, 2), ['committed', 'started']);
        await sessionGone(app);
        const store = await createPostgresStore({ url: found.url, schema });
        try {
          const d = await store.getDelivery('partial');
          const n = await store.countRecords('partial');
          if (d === undefined) assert.equal(n, 0, `delay ${delayMs}ms: records without their delivery`);
          else assert.equal(n, CRASH_PARTIAL_COUNT, `delay ${delayMs}ms: delivery with missing records`);
        } finally {
          await store.close();
        }
        const raw = await rawCounts(schema);
        assert.ok(
          raw.records === CRASH_COMPLETE_COUNT || raw.records === CRASH_COMPLETE_COUNT + CRASH_PARTIAL_COUNT,
          `delay ${delayMs}ms: ${raw.records} record rows`,
        );
        await assertCompleteIntact(schema);
      }
    });
  });
}
