import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, tempDir } from './helpers.js';
import { openStore } from '../../src/store/index.js';
import { adminPool, dropSchema, findTestDatabase, freshSchema } from '../../src/store/postgres/pg-fixture.js';

const found = await findTestDatabase();

test('--store with an unsupported or missing URL is a usage error naming what to do', async () => {
  const dir = await tempDir();
  const missing = await cli(dir, ['keygen', '--out', 'k', '--store']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^CLI_USAGE: --store needs a URL/);
  await cli(dir, ['keygen', '--out', 'k']);
  await writeFile(join(dir, 'd.jsonl'), '{"a":1}\n');
  const bad = await cli(dir, ['seal', 'd.jsonl', '--key', 'k.key', '--vendor', 'V', '--client', 'C', '--store', 'mysql://h/db']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^STORE_BAD_URL: /);
});

if ('skip' in found) {
  test('--store postgres://... records the delivery in PostgreSQL', (t) => t.skip(found.skip));
} else {
  const schema = freshSchema('provenant_flag');
  const admin = adminPool(found.url);
  after(async () => {
    await dropSchema(admin, schema);
    await admin.end();
  });
  test('--store postgres://... records the delivery in PostgreSQL, not in the local SQLite file', async () => {
    const dir = await tempDir();
    await cli(dir, ['keygen', '--out', 'k']);
    await writeFile(join(dir, 'd.jsonl'), '{"q":"a"}\n{"q":"b"}\n');
    const env = { PROVENANT_DATABASE_SCHEMA: schema };
    const r = await cli(dir, ['seal', 'd.jsonl', '--key', 'k.key', '--vendor', 'V', '--client', 'C', '--delivery-id', 'flag-001', '--store', found.url], env);
    assert.equal(r.code, 0, r.stderr);
    const v = await cli(dir, ['verify', 'd.jsonl', '--seal', 'd.jsonl.seal', '--key', 'k.pub', `--store=${found.url}`], env);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(existsSync(join(dir, '.provenant', 'provenant.db')), false);
    const store = await openStore({ url: found.url, schema });
    try {
      const d = await store.getDelivery('flag-001');
      assert.equal(d?.status, 'verified');
      assert.equal(await store.countRecords('flag-001'), 2);
    } finally {
      await store.close();
    }
  });
}
