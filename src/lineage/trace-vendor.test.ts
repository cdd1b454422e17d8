import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProvenantError } from '../core/index.js';
import { addIncident, registerModel, registerRun } from './declare.js';
import { deriveDataset } from './derive.js';
import { parseSelector } from './impact.js';
import { traceDump } from './trace.js';
import { hhi, pauseVendor, resumeVendor, vendorReport } from './vendor.js';
import { createFixture, csv, jsonl, recs, type Fixture } from './testing.js';

const isCode = (code: string) => (e: unknown) => e instanceof ProvenantError && e.code === code;

describe('trace and vendor report', () => {
  let fx: Fixture;
  const a1 = recs('a1', 20);
  const a2 = recs('a2', 20);
  const b = recs('b', 20);
  before(async () => {
    fx = await createFixture();
    await fx.deliver({ vendor: 'acme', id: 'acme-lab1', rows: a1, client: 'lab-1', meta: { annotators: [{ id: 'p-1', records: 20 }] } });
    await fx.deliver({ vendor: 'acme', id: 'acme-lab2', rows: [...a2, a1[0]], client: 'lab-2' });
    await fx.deliver({ vendor: 'bolt', id: 'bolt-lab1', rows: b, client: 'lab-1' });
  });
  after(() => fx.dispose());

  test('a leaked dump in another format maps to deliveries and the clients who must be told', async () => {
    const dump = await fx.write('dump/leak.csv', csv([...a1.slice(0, 5), ...a2.slice(0, 3), ...recs('x', 2)]));
    const t = await traceDump(fx.store, dump);
    assert.equal(t.records, 10);
    assert.equal(t.matched, 8);
    assert.equal(t.unmatched, 2);
    assert.deepEqual(t.deliveries.map((d) => [d.deliveryId, d.client, d.records]), [['acme-lab1', 'lab-1', 5], ['acme-lab2', 'lab-2', 4]]);
    // a1[0] was delivered to both labs: each must be told about it.
    assert.deepEqual(t.clients.map((c) => [c.client, c.records]), [['lab-1', 5], ['lab-2', 4]]);
    assert.deepEqual(t.vendors, [{ vendor: 'acme', records: 8 }]);
    await assert.rejects(traceDump(fx.store, join(fx.dir, 'nope')), isCode('LINEAGE_INPUT_UNREADABLE'));
    const bad = await fx.write('dump2/x.json', '[{"a":1},');
    await assert.rejects(traceDump(fx.store, bad), (e: unknown) => e instanceof ProvenantError && e.code.startsWith('RECORD_'));
  });

  test('vendor report: keys, evidence-based assurance, incidents, pauses, per-model shares and HHI', async () => {
    await fx.write('m/x.jsonl', jsonl([...a1.slice(0, 15), ...b.slice(0, 5)]));
    await deriveDataset({ path: join(fx.dir, 'm'), name: 'm', store: fx.store });
    await registerRun(fx.store, { id: 'r', datasets: ['m'], outputs: ['model-x'] });
    await registerModel(fx.store, { name: 'model-y', base: 'model-x' });
    await fx.store.putEvidence({ deliveryId: 'bolt-lab1', logged: true, witnessed: false, inspected: { records: 20, findings: 2, verdict: 'accept' }, recordedAt: '2026-02-02T00:00:00Z' });
    let r = await vendorReport(fx.store);
    const acme = r.vendors.find((v) => v.vendor === 'acme');
    const bolt = r.vendors.find((v) => v.vendor === 'bolt');
    assert.equal(acme?.deliveries, 2);
    assert.deepEqual(acme?.clients, ['lab-1', 'lab-2']);
    assert.equal(acme?.keys.length, 1);
    assert.equal(acme?.assurance.name, 'signed');
    assert.equal(acme?.findingsRate, null);
    assert.equal(bolt?.assurance.name, 'logged');
    assert.equal(bolt?.findingsRate, 0.1);
    const mx = r.models.find((m) => m.model === 'model-x');
    assert.deepEqual(mx?.vendors.map((v) => [v.vendor, v.records]), [['acme', 15], ['bolt', 5]]);
    assert.equal(mx?.hhi, 6250);
    assert.equal(mx?.concentration, 'high');
    // A fine-tune inherits its base's training data.
    assert.equal(r.models.find((m) => m.model === 'model-y')?.hhi, 6250);
    await addIncident(fx.store, { id: 'I', selector: parseSelector('vendor:bolt') });
    await pauseVendor(fx.store, 'acme', { reason: 'audit' });
    r = await vendorReport(fx.store);
    assert.equal(r.vendors.find((v) => v.vendor === 'bolt')?.assurance.level, 0);
    assert.deepEqual(r.vendors.find((v) => v.vendor === 'bolt')?.incidents, ['I']);
    assert.equal(r.vendors.find((v) => v.vendor === 'acme')?.paused?.reason, 'audit');
    await resumeVendor(fx.store, 'acme');
    assert.equal((await vendorReport(fx.store)).vendors.find((v) => v.vendor === 'acme')?.paused, undefined);
    await assert.rejects(pauseVendor(fx.store, 'acmee'), isCode('LINEAGE_NOT_FOUND'));
    await assert.rejects(pauseVendor(fx.store, 'a\u001b[31m'), isCode('LINEAGE_INVALID_ARGUMENT'));
    await assert.rejects(pauseVendor(fx.store, 'acme', { reason: 'x'.repeat(2000) }), isCode('LINEAGE_INVALID_ARGUMENT'));
    await assert.rejects(fx.store.putEvidence({ deliveryId: 'ghost', logged: true, witnessed: true, recordedAt: 'x' }), isCode('LINEAGE_NOT_FOUND'));
  });

  test('HHI', () => {
    assert.equal(hhi([1]), 10000);
    assert.equal(hhi([0.5, 0.5]), 5000);
    assert.equal(hhi([0.25, 0.25, 0.25, 0.25]), 2500);
  });
});
