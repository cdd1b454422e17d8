// createDeliveryScan streams a multi-file delivery and must give the same roots as holding every
// digest (scanFile + deliveryRoots), also when its set-root sort spills.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeliveryScan, createScanPool, deliveryRoots, scanFile, type FileScan, type ScanPool } from './index.js';

let pool: ScanPool;
let dir: string;
before(() => {
  pool = createScanPool(2);
  dir = mkdtempSync(join(tmpdir(), 'provenant-delivery-'));
});
after(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

test('streamed delivery roots equal in-memory roots across JSONL, text and CSV files', async () => {
  const files: Array<[string, string]> = [
    ['a.jsonl', Array.from({ length: 12001 }, (_, i) => JSON.stringify({ z: i % 500, t: `v${i % 700}`, a: [i] })).join('\n') + '\n'],
    ['b.txt', Array.from({ length: 777 }, (_, i) => `line ${i}`).join('\n')],
    ['c.csv', 'k,v\n' + Array.from({ length: 333 }, (_, i) => `${i},x${i}`).join('\n') + '\n'],
    ['d.jsonl', Array.from({ length: 20000 }, (_, i) => `{"q": "dup ${i % 3}"}`).join('\n') + '\n'],
  ];
  for (const [name, body] of files) writeFileSync(join(dir, name), body);
  const spill = mkdtempSync(join(tmpdir(), 'provenant-delivery-spill-'));
  try {
    const scans: FileScan[] = [];
    for (const [name] of files) scans.push(await scanFile(join(dir, name), { file: name, pool }));
    const expected = await deliveryRoots(scans, { pool });
    for (const runRecords of [1000, 1 << 18]) {
      const ds = createDeliveryScan({ pool, tmpDir: spill, runRecords });
      try {
        let batches = 0;
        for (const [i, [name]] of files.entries()) {
          const s = await ds.scanFile(join(dir, name), { file: name, onBatch: () => void batches++ });
          const ref = scans[i] as FileScan;
          assert.deepEqual([s.recordRoot, s.records, s.sha256, s.positionKind], [ref.recordRoot, ref.records, ref.sha256, ref.positionKind]);
        }
        assert.ok(batches >= files.length);
        assert.deepEqual(await ds.finish(), expected);
      } finally {
        await ds.close();
      }
      assert.deepEqual(readdirSync(spill), []);
    }
  } finally {
    rmSync(spill, { recursive: true, force: true });
  }
});

test('a bad record in a later file fails the delivery scan with its file and absolute line', async () => {
  const good = Array.from({ length: 9000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(300) })).join('\n') + '\n';
  writeFileSync(join(dir, 'ok.jsonl'), good);
  writeFileSync(join(dir, 'bad.jsonl'), good + '{"a":1,"a":2}\n' + good);
  const ds = createDeliveryScan({ pool, runRecords: 500 });
  try {
    await ds.scanFile(join(dir, 'ok.jsonl'), { file: 'ok.jsonl' });
    await assert.rejects(ds.scanFile(join(dir, 'bad.jsonl'), { file: 'bad.jsonl' }), { code: 'RECORD_JSON_DUPLICATE_KEY', location: { file: 'bad.jsonl', line: 9001, path: '$.a' } });
  } finally {
    await ds.close();
  }
});
