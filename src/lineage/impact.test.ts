import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProvenantError } from '../core/index.js';
import { addIncident, registerDeployment, registerModel, registerRun } from './declare.js';
import { deriveDataset } from './derive.js';
import { computeImpact, parseSelector, pathText } from './impact.js';
import { createFixture, jsonl, recs, type Fixture } from './testing.js';

const isCode = (code: string) => (e: unknown) => e instanceof ProvenantError && e.code === code;

describe('impact', () => {
  let fx: Fixture;
  const a = recs('acme', 50);
  const b1 = recs('bolt-jan', 40);
  const b2 = recs('bolt-mar', 30);
  const asOf = new Date('2026-04-01T00:00:00Z');
  before(async () => {
    fx = await createFixture();
    await fx.deliver({ vendor: 'acme', id: 'acme-1', rows: a });
    await fx.deliver({ vendor: 'bolt', id: 'bolt-1', rows: b1, meta: { collection: { start: '2026-01-10T00:00:00Z', end: '2026-01-20T00:00:00Z' }, annotators: [{ id: 'ann-7', records: 40 }] } });
    await fx.deliver({ vendor: 'bolt', id: 'bolt-2', rows: b2, meta: { collection: { start: '2026-03-01T00:00:00Z', end: '2026-03-04T00:00:00Z' } }, sealedAt: '2026-03-05T00:00:00Z' });
    await fx.write('mix1/m.jsonl', jsonl([...a.slice(0, 30), ...b1.slice(0, 10)]));
    await fx.write('mix2/m.jsonl', jsonl(a.slice(10, 50)));
    await fx.write('mix3/m.jsonl', jsonl(b2));
    for (const n of ['mix1', 'mix2', 'mix3']) await deriveDataset({ path: join(fx.dir, n), name: n, store: fx.store });
    const s = fx.store;
    await registerModel(s, { name: 'base-0' });
    await registerModel(s, { name: 'base-1', base: 'base-0' });
    await registerRun(s, { id: 'r1', datasets: ['mix1'], outputs: ['base-1'], start: '2026-02-03T00:00:00Z', end: '2026-02-04T00:00:00Z' });
    await registerRun(s, { id: 'r2', datasets: ['mix2'], outputs: ['clean-1'], start: '2026-02-03T00:00:00Z' });
    await registerModel(s, { name: 'ft-1', base: 'base-1' });
    await registerRun(s, { id: 'r3', datasets: ['mix2'], outputs: ['ft-1'] });
    await registerModel(s, { name: 'ft-2', base: 'ft-1' });
    await registerDeployment(s, { model: 'clean-1', env: 'prod', from: '2026-02-01T00:00:00Z', to: '2026-02-10T00:00:00Z' });
    await registerDeployment(s, { model: 'base-1', env: 'prod', from: '2026-02-10T00:00:00Z', to: '2026-02-20T00:00:00Z' });
    await registerDeployment(s, { model: 'ft-2', env: 'prod', from: '2026-02-20T00:00:00Z' });
  });
  after(() => fx.dispose());

  test('a breached vendor window reaches exactly the datasets, runs, fine-tuned models and deployments that used it', async () => {
    const r = await computeImpact(fx.store, parseSelector('vendor:bolt', { from: '2026-01-01', to: '2026-02-01' }), { asOf });
    assert.deepEqual(r.deliveries.map((d) => d.deliveryId), ['bolt-1']);
    assert.deepEqual(r.datasets.map((d) => [d.name, d.taintedRecords, d.recordCount]), [['mix1', 10, 40]]);
    assert.equal(r.datasets[0]?.share, 0.25);
    assert.deepEqual(r.runs.map((x) => x.id), ['r1']);
    assert.deepEqual(r.models.map((m) => [m.name, m.via, m.lastCleanAncestor]), [['base-1', 'training', 'base-0'], ['ft-1', 'fine-tune', 'base-0'], ['ft-2', 'fine-tune', 'base-0']]);
    assert.deepEqual(r.deployments.map((d) => [d.model, d.env, d.active]), [['base-1', 'prod', false], ['ft-2', 'prod', true]]);
    assert.equal(pathText(r.models[2]?.path ?? []), 'vendor:bolt → delivery:bolt-1 → [content-match 10] dataset:mix1 → run:r1 → model:base-1 → model:ft-1 → model:ft-2');
    const rollback = r.plan.filter((p) => p.action === 'rollback');
    assert.deepEqual(rollback.map((p) => p.action === 'rollback' && [p.deployment, p.toModel]), [['ft-2@prod@2026-02-20T00:00:00.000Z', 'clean-1']]);
    const retrain = r.plan.filter((p) => p.action === 'retrain');
    assert.deepEqual(retrain.map((p) => p.action === 'retrain' && [p.model, p.from, p.after]), [['base-1', 'base-0', []], ['ft-1', 'base-0', ['base-1']], ['ft-2', 'base-0', ['base-1', 'ft-1']]]);
    assert.ok(r.plan.some((p) => p.action === 'pause-vendor' && p.vendor === 'bolt'));
    assert.ok(r.plan.some((p) => p.action === 'quarantine' && p.target.name === 'mix1'));
    // Clean work stays out of the report.
    assert.ok(!r.models.some((m) => m.name === 'clean-1'));
  });

  test('the same vendor outside the window reaches only its later delivery', async () => {
    const r = await computeImpact(fx.store, parseSelector('vendor:bolt', { from: '2026-03-01' }), { asOf });
    assert.deepEqual(r.deliveries.map((d) => d.deliveryId), ['bolt-2']);
    assert.deepEqual(r.datasets.map((d) => [d.name, d.taintedRecords]), [['mix3', 30]]);
    assert.equal(r.models.length, 0);
  });

  test('annotator, key, delivery and incident selectors', async () => {
    const byAnn = await computeImpact(fx.store, parseSelector('annotator:ann-7'), { asOf });
    assert.deepEqual(byAnn.deliveries.map((d) => d.deliveryId), ['bolt-1']);
    const keyId = byAnn.deliveries[0]?.keyId ?? '';
    const byKey = await computeImpact(fx.store, parseSelector(`key:${keyId.slice(0, 16)}`), { asOf });
    assert.deepEqual(byKey.deliveries.map((d) => d.deliveryId), ['bolt-1', 'bolt-2']);
    const byDel = await computeImpact(fx.store, parseSelector('delivery:acme-1'), { asOf });
    assert.deepEqual(byDel.models.map((m) => m.name), ['base-1', 'clean-1', 'ft-1', 'ft-2']);
    await addIncident(fx.store, { id: 'INC-1', selector: parseSelector('vendor:bolt', { from: '2026-01-01', to: '2026-02-01' }), description: 'credentials stolen' });
    const byInc = await computeImpact(fx.store, parseSelector('incident:INC-1'), { asOf });
    assert.deepEqual(byInc.models.map((m) => m.name), ['base-1', 'ft-1', 'ft-2']);
    assert.equal(byInc.models[0]?.path[0]?.name, 'INC-1');
    assert.equal((await addIncident(fx.store, { id: 'INC-1', selector: parseSelector('vendor:bolt', { from: '2026-01-01', to: '2026-02-01' }) })).inserted, false);
    await assert.rejects(addIncident(fx.store, { id: 'INC-1', selector: parseSelector('vendor:acme') }), isCode('LINEAGE_CONFLICT'));
  });

  test('paused vendors are marked on the runs that used them', async () => {
    await fx.store.setVendorPause('acme', { at: '2026-03-10T00:00:00.000Z', reason: 'audit' });
    const r = await computeImpact(fx.store, parseSelector('vendor:bolt', { from: '2026-01-01', to: '2026-02-01' }), { asOf });
    assert.deepEqual(r.runs.map((x) => [x.id, x.pausedVendors]), [['r1', ['acme']]]);
    await fx.store.setVendorPause('acme', null);
  });

  test('malformed selectors and unknown subjects fail with coded errors', async () => {
    for (const s of ['bolt', 'vendor:', 'model:x', ':x', 'key:xyz', 'vendor:a\nb']) assert.throws(() => parseSelector(s), isCode('LINEAGE_SELECTOR_INVALID'), s);
    assert.throws(() => parseSelector('vendor:bolt', { from: '2026-13-01' }), isCode('LINEAGE_INVALID_TIME'));
    assert.throws(() => parseSelector('vendor:bolt', { from: '2026-03-01', to: '2026-02-01' }), isCode('LINEAGE_INVALID_TIME'));
    assert.throws(() => parseSelector('delivery:x', { from: '2026-03-01' }), isCode('LINEAGE_SELECTOR_INVALID'));
    await assert.rejects(computeImpact(fx.store, parseSelector('incident:nope')), isCode('LINEAGE_NOT_FOUND'));
    await assert.rejects(computeImpact(fx.store, parseSelector('delivery:nope')), isCode('LINEAGE_NOT_FOUND'));
    const none = await computeImpact(fx.store, parseSelector('vendor:nobody'));
    assert.equal(none.summary.models, 0);
  });

  test('declared lineage is checked: unknown inputs, cycles, conflicting facts, bad times', async () => {
    const s = fx.store;
    await assert.rejects(registerRun(s, { id: 'rx', datasets: ['nope'], outputs: ['m'] }), isCode('LINEAGE_NOT_FOUND'));
    await assert.rejects(registerRun(s, { id: 'rx', deliveries: ['nope'], outputs: ['m'] }), isCode('LINEAGE_NOT_FOUND'));
    await assert.rejects(registerRun(s, { id: 'rx', outputs: ['m'] }), isCode('LINEAGE_INVALID_ARGUMENT'));
    await assert.rejects(registerRun(s, { id: 'rx', datasets: ['mix1'], outputs: ['m'], start: '2026-02-05', end: '2026-02-01' }), isCode('LINEAGE_INVALID_TIME'));
    await assert.rejects(registerRun(s, { id: 'r1', datasets: ['mix1'], outputs: ['base-1'], start: '2026-02-09T00:00:00Z' }), isCode('LINEAGE_CONFLICT'));
    await assert.rejects(registerModel(s, { name: 'base-0', base: 'ft-2' }), isCode('LINEAGE_CYCLE'));
    await assert.rejects(registerModel(s, { name: 'x', base: 'x' }), isCode('LINEAGE_CYCLE'));
    await assert.rejects(registerModel(s, { name: 'ft-1', base: 'base-0' }), isCode('LINEAGE_CONFLICT'));
    await assert.rejects(registerDeployment(s, { model: 'ghost', env: 'prod', from: '2026-02-01' }), isCode('LINEAGE_NOT_FOUND'));
    await assert.rejects(registerDeployment(s, { model: 'ft-2', env: 'prod', from: 'yesterday' }), isCode('LINEAGE_INVALID_TIME'));
    await assert.rejects(registerDeployment(s, { model: 'ft-2', env: 'prod', from: '2026-02-30' }), isCode('LINEAGE_INVALID_TIME'));
    // Idempotent: the same facts again change nothing.
    assert.equal((await registerRun(s, { id: 'r1', datasets: ['mix1'], outputs: ['base-1'] })).inserted, false);
    assert.equal((await registerModel(s, { name: 'ft-1', base: 'base-1' })).inserted, false);
  });
});
