import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProvenantError } from '../core/index.js';
import { deriveDataset } from './derive.js';
import { createFixture, csv, jsonl, recs, type Fixture } from './testing.js';

async function rejectsCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof ProvenantError && e.code === code);
}

describe('lineage derive', () => {
  let fx: Fixture;
  const a = recs('acme', 60);
  const b = recs('bolt', 40);
  const shared = { prompt: 'shared question', response: 'shared answer' };
  before(async () => {
    fx = await createFixture();
    await fx.deliver({ vendor: 'acme', id: 'acme-1', rows: [...a, shared] });
    await fx.deliver({ vendor: 'bolt', id: 'bolt-1', rows: [...b, shared] });
  });
  after(() => fx.dispose());

  test('a mix converted to CSV, filtered and reordered is linked to both deliveries with exact counts', async () => {
    // 30 acme records as CSV (reversed), 20 bolt records as JSONL (shuffled), the shared record,
    // and 5 records nobody delivered.
    await fx.write('mix/a.csv', csv(a.slice(0, 30).reverse()));
    const pick = b.filter((_, i) => i % 2 === 0).sort((x, y) => (x.prompt < y.prompt ? 1 : -1));
    await fx.write('mix/b.jsonl', jsonl([...pick, shared, ...recs('own', 5)]));
    const res = await deriveDataset({ path: join(fx.dir, 'mix'), name: 'mix-1', store: fx.store });
    assert.equal(res.inserted, true);
    assert.equal(res.dataset.recordCount, 56);
    assert.equal(res.dataset.fileCount, 2);
    assert.equal(res.dataset.matchedCount, 51);
    assert.equal(res.unmatched, 5);
    assert.deepEqual(
      res.deliveries.map((d) => [d.deliveryId, d.vendor, d.count]),
      [
        ['acme-1', 'acme', 31],
        ['bolt-1', 'bolt', 21],
      ],
    );
    // The shared record is one group of its own, so tainted counts never double count it.
    assert.deepEqual(
      res.dataset.groups.map((g) => [g.deliveries, g.count]),
      [
        [['acme-1'], 30],
        [['acme-1', 'bolt-1'], 1],
        [['bolt-1'], 20],
      ],
    );
    const stored = await fx.store.getDataset('mix-1');
    assert.equal(stored?.recordRoot, res.dataset.recordRoot);
    assert.deepEqual(stored?.groups, res.dataset.groups);
  });

  test('deriving the same dataset again changes nothing; other content under the same name is a conflict', async () => {
    const again = await deriveDataset({ path: join(fx.dir, 'mix'), name: 'mix-1', store: fx.store });
    assert.equal(again.inserted, false);
    await fx.write('other/x.jsonl', jsonl(a.slice(0, 3)));
    await rejectsCode(deriveDataset({ path: join(fx.dir, 'other'), name: 'mix-1', store: fx.store }), 'LINEAGE_CONFLICT');
  });

  test('the same records in another order keep the record set root', async () => {
    await fx.write('p1/x.jsonl', jsonl(a.slice(0, 10)));
    await fx.write('p2/x.jsonl', jsonl(a.slice(0, 10).reverse()));
    const p1 = await deriveDataset({ path: join(fx.dir, 'p1'), name: 'p1', store: fx.store });
    const p2 = await deriveDataset({ path: join(fx.dir, 'p2'), name: 'p2', store: fx.store });
    assert.equal(p1.dataset.recordSetRoot, p2.dataset.recordSetRoot);
    assert.notEqual(p1.dataset.recordRoot, p2.dataset.recordRoot);
  });

  test('hostile and malformed inputs fail with coded errors and register nothing', async () => {
    await rejectsCode(deriveDataset({ path: join(fx.dir, 'missing'), name: 'x', store: fx.store }), 'LINEAGE_INPUT_UNREADABLE');
    await fx.write('evil/ok.jsonl', jsonl(a.slice(0, 2)));
    await symlink('/etc/passwd', join(fx.dir, 'evil', 'link.jsonl'));
    await rejectsCode(deriveDataset({ path: join(fx.dir, 'evil'), name: 'evil', store: fx.store }), 'LINEAGE_INPUT_UNREADABLE');
    await fx.write('empty/e.jsonl', '');
    await rejectsCode(deriveDataset({ path: join(fx.dir, 'empty'), name: 'empty', store: fx.store }), 'LINEAGE_EMPTY_INPUT');
    const bad = await fx.write('bad/b.jsonl', '{"prompt":"x"}\n{"prompt": "y", "prompt": "z"}\n');
    await assert.rejects(deriveDataset({ path: bad, name: 'bad', store: fx.store }), (e: unknown) => e instanceof ProvenantError && e.code === 'RECORD_JSON_DUPLICATE_KEY' && e.location?.line === 2);
    const trunc = await fx.write('trunc/t.jsonl', '{"prompt":"x"}\n{"prompt": "y"');
    await assert.rejects(deriveDataset({ path: trunc, name: 'trunc', store: fx.store }), (e: unknown) => e instanceof ProvenantError && e.code.startsWith('RECORD_'));
    await rejectsCode(deriveDataset({ path: join(fx.dir, 'p1'), name: 'bad\nname', store: fx.store }), 'LINEAGE_INVALID_ARGUMENT');
    await rejectsCode(deriveDataset({ path: join(fx.dir, 'p1'), name: '', store: fx.store }), 'LINEAGE_INVALID_ARGUMENT');
    for (const n of ['evil', 'empty', 'bad', 'trunc']) assert.equal(await fx.store.getDataset(n), undefined);
  });
});
