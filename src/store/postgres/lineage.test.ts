/**
 * The PostgreSQL lineage part and findings index against the SQLite ones: the same facts are put
 * into both, every read and every refusal must come back the same. (The CLI end to end is
 * test/cli/lineage-postgres.test.ts.) Skips with a visible note when PostgreSQL does not answer.
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProvenantError } from '../../core/index.js';
import type { FindingIndex, LineageStore, StoredFinding } from '../../lineage/index.js';
import { generateKeyPair, sealDelivery } from '../../seal/index.js';
import { registerSeal } from '../register.js';
import { createSqliteFindingStore } from '../sqlite/findings.js';
import { createSqliteLineageStore } from '../sqlite/lineage.js';
import type { Store } from '../types.js';
import { createPostgresFindingStore } from './findings.js';
import { createPostgresLineageStore } from './lineage.js';
import { adminPool, dropSchema, findTestDatabase, freshSchema } from './pg-fixture.js';

const found = await findTestDatabase();

type Backend = { store: Store & LineageStore; findings: FindingIndex & { close(): Promise<void> } };

/** Runs `fn` and returns its result, or the error code it was refused with. */
async function outcome(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    const v = await fn();
    return v instanceof Map ? Object.fromEntries([...v].map(([k, x]) => [k, x instanceof Map ? Object.fromEntries(x) : x])) : v;
  } catch (err) {
    if (err instanceof ProvenantError) return { refused: err.code };
    throw err;
  }
}

describe('lineage store: postgres behaves as sqlite', () => {
  if ('skip' in found) {
    test('same answers as SQLite', (t) => t.skip(found.skip));
    return;
  }
  const { url } = found;
  const admin = adminPool(url);
  const schemas: string[] = [];
  let dir: string;
  const seals: { sealDir: string; publicKey: string }[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provenant-pg-lineage-'));
    const acme = generateKeyPair();
    const bolt = generateKeyPair();
    const deliveries = [
      { id: 'acme-1', vendor: 'acme', k: acme, rows: ['a0', 'a1', 'a2', 'shared'], meta: { annotators: [{ id: 'ann-7', records: 3 }] } },
      { id: 'bolt-1', vendor: 'bolt', k: bolt, rows: ['b0', 'b1', 'shared'], meta: { collection: { start: '2026-01-10T00:00:00Z', end: '2026-01-20T00:00:00Z' } } },
    ];
    for (const d of deliveries) {
      const path = join(dir, 'd', d.id);
      await mkdir(path, { recursive: true });
      await writeFile(join(path, 'data.jsonl'), d.rows.map((r) => JSON.stringify({ text: r })).join('\n') + '\n');
      await mkdir(join(dir, 's'), { recursive: true });
      const sealDir = join(dir, 's', d.id);
      await sealDelivery({ path, key: d.k.privateKey, vendor: d.vendor, client: 'lab', deliveryId: d.id, out: sealDir, meta: d.meta, now: new Date('2026-02-01T00:00:00Z') });
      seals.push({ sealDir, publicKey: d.k.publicKey });
    }
  });

  after(async () => {
    for (const s of schemas) await dropSchema(admin, s).catch(() => undefined);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  });

  /** The same facts and questions on one backend; returns every answer (or refusal code). */
  async function script(b: Backend): Promise<unknown[]> {
    const out: unknown[] = [];
    const ask = async (fn: () => Promise<unknown>) => out.push(await outcome(fn));
    for (const s of seals) await registerSeal(b.store, { sealDir: s.sealDir, publicKey: createPublicKey(s.publicKey), status: 'verified', now: new Date('2026-02-02T00:00:00Z') });
    await ask(() => b.store.syncDeliveries());
    await ask(() => b.store.syncDeliveries());
    const ds = { recordRoot: 'a'.repeat(64), recordSetRoot: 'b'.repeat(64), recordCount: 5, fileCount: 1, matchedCount: 4, derivedAt: '2026-02-03T00:00:00Z' };
    const mix = {
      ...ds,
      name: 'mix',
      deliveries: [
        { deliveryId: 'acme-1', count: 3 },
        { deliveryId: 'bolt-1', count: 2 },
      ],
      groups: [
        { deliveries: ['acme-1'], count: 2 },
        { deliveries: ['bolt-1'], count: 1 },
        { deliveries: ['acme-1', 'bolt-1'], count: 1 },
      ],
      path: '/data/mix',
    };
    await ask(() => b.store.putDataset(mix));
    await ask(() => b.store.putDataset(mix));
    await ask(() => b.store.putDataset({ ...mix, recordRoot: 'c'.repeat(64) }));
    await ask(() => b.store.putDataset({ ...mix, name: 'ghost', deliveries: [{ deliveryId: 'nope', count: 1 }], groups: [] }));
    await ask(() => b.store.putRun({ id: 'r1', inputs: [{ kind: 'dataset', name: 'mix' }], outputs: [{ kind: 'model', name: 'm1' }], start: '2026-02-04T00:00:00Z' }));
    await ask(() => b.store.putRun({ id: 'r1', inputs: [], outputs: [], end: '2026-02-05T00:00:00Z' }));
    await ask(() => b.store.putRun({ id: 'r1', inputs: [], outputs: [], start: '2026-02-09T00:00:00Z' }));
    await ask(() => b.store.putRun({ id: 'r2', inputs: [{ kind: 'delivery', name: 'bolt-1' }, { kind: 'dataset', name: 'ol:x' }], outputs: [{ kind: 'model', name: 'm3' }], declareMissing: true }));
    await ask(() => b.store.putRun({ id: 'r3', inputs: [{ kind: 'dataset', name: 'missing' }], outputs: [{ kind: 'model', name: 'm9' }] }));
    await ask(() => b.store.putModel({ name: 'm2', base: 'm1', meta: { size: '7b' } }));
    await ask(() => b.store.putModel({ name: 'm2', base: 'm1' }));
    await ask(() => b.store.putModel({ name: 'm2', base: 'm3' }));
    await ask(() => b.store.putModel({ name: 'm1', base: 'm2' }));
    await ask(() => b.store.putModel({ name: 'm4', base: 'm4' }));
    await ask(() => b.store.putDeployment({ model: 'm2', env: 'prod', from: '2026-02-06T00:00:00Z' }));
    await ask(() => b.store.putDeployment({ model: 'm2', env: 'prod', from: '2026-02-06T00:00:00Z', to: '2026-03-01T00:00:00Z' }));
    await ask(() => b.store.putDeployment({ model: 'm2', env: 'prod', from: '2026-02-06T00:00:00Z', to: '2026-03-02T00:00:00Z' }));
    await ask(() => b.store.putDeployment({ model: 'm1', env: 'dev', from: '2026-01-06T00:00:00Z', name: 'd1' }));
    await ask(() => b.store.putDeployment({ model: 'nope', env: 'dev', from: '2026-01-06T00:00:00Z' }));
    await ask(() => b.store.putIncident({ id: 'I1', selector: { kind: 'vendor', vendor: 'bolt', window: { from: '2026-01-01T00:00:00Z' } }, reportedAt: '2026-02-10T00:00:00Z', description: 'bad' }));
    await ask(() => b.store.putIncident({ id: 'I1', selector: { kind: 'vendor', vendor: 'bolt', window: { from: '2026-01-01T00:00:00Z' } }, reportedAt: '2026-02-10T00:00:00Z' }));
    await ask(() => b.store.putIncident({ id: 'I1', selector: { kind: 'vendor', vendor: 'acme' }, reportedAt: '2026-02-10T00:00:00Z' }));
    await ask(() => b.store.putIncident({ id: 'I0', selector: { kind: 'annotator', annotator: 'ann-7' }, reportedAt: '2026-02-09T00:00:00Z' }));
    await ask(() => b.store.setVendorPause('bolt', { at: '2026-02-11T00:00:00Z', reason: 'I1' }));
    await ask(() => b.store.setVendorPause('acme', { at: '2026-02-11T00:00:00Z' }));
    await ask(() => b.store.setVendorPause('acme', null));
    await ask(() => b.store.putEvidence({ deliveryId: 'acme-1', logged: true, witnessed: false, inspected: { records: 4, findings: 1, verdict: 'review' }, recordedAt: '2026-02-12T00:00:00Z' }));
    await ask(() => b.store.putEvidence({ deliveryId: 'bolt-1', logged: false, witnessed: false, recordedAt: '2026-02-12T00:00:00Z' }));
    await ask(() => b.store.putEvidence({ deliveryId: 'nope', logged: false, witnessed: false, recordedAt: '2026-02-12T00:00:00Z' }));
    // Reads.
    const keyOf = (await b.store.getDeliveries(['acme-1']))[0]?.keyId ?? '';
    await ask(() => b.store.getDeliveries(['bolt-1', 'acme-1', 'nope']));
    await ask(() => b.store.listAllDeliveries());
    await ask(() => b.store.selectDeliveries({ kind: 'vendor', vendor: 'bolt', window: { from: '2026-01-15T00:00:00Z', to: '2026-01-16T00:00:00Z' } }));
    await ask(() => b.store.selectDeliveries({ kind: 'vendor', vendor: 'bolt', window: { from: '2026-01-20T00:00:00Z' } }));
    await ask(() => b.store.selectDeliveries({ kind: 'vendor', vendor: 'bolt', window: { to: '2026-01-10T00:00:00Z' } }));
    await ask(() => b.store.selectDeliveries({ kind: 'key', keyId: keyOf.slice(0, 8).toUpperCase() }));
    await ask(() => b.store.selectDeliveries({ kind: 'key', keyId: keyOf.slice(0, 7) }));
    await ask(() => b.store.selectDeliveries({ kind: 'annotator', annotator: 'ann-7' }));
    await ask(() => b.store.selectDeliveries({ kind: 'delivery', deliveryId: 'bolt-1' }));
    await ask(() => b.store.getDataset('mix'));
    await ask(() => b.store.getDataset('ol:x'));
    await ask(() => b.store.datasetCounts(['mix', 'ol:x', 'nope']));
    await ask(() => b.store.getIncident('I1'));
    await ask(() => b.store.listIncidents());
    await ask(async () => {
      const n = await b.store.getNode({ kind: 'run', name: 'r1' });
      return n && { ...n, createdAt: typeof n.createdAt };
    });
    // downstream promises a set of rows (SQLite's order is whatever its recursion produced).
    const asSet = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
    await ask(async () => asSet(await b.store.downstream(['bolt-1'])));
    await ask(async () => asSet(await b.store.downstream(['acme-1', 'bolt-1'])));
    await ask(() => b.store.taintedCounts(['bolt-1'], []));
    await ask(() => b.store.taintedCounts(['acme-1', 'bolt-1'], ['mix']));
    await ask(() => b.store.modelAncestors(['m2', 'm1', 'nope']));
    await ask(() => b.store.producingRuns(['m1', 'm3']));
    await ask(() => b.store.listDeployments([]));
    await ask(() => b.store.listDeployments(['dev']));
    await ask(() => b.store.runVendors(['r1', 'r2']));
    await ask(() => b.store.modelVendorRecords(['m2', 'm3']));
    await ask(() => b.store.listModels());
    await ask(() => b.store.listVendorPauses());
    await ask(() => b.store.listEvidence());
    // Findings.
    const f: StoredFinding[] = [
      { detector: 'secrets', rule: 'aws-access-key', severity: 'high', confidence: 0.9, file: 'data.jsonl', index: 2, field: 'text', message: 'key' },
      { detector: 'poisoning', rule: 'trigger', severity: 'medium', confidence: 0.5, file: 'data.jsonl', index: 0, message: 'trigger' },
    ];
    await ask(() => b.findings.putFindings('acme-1', f));
    await ask(() => b.findings.putFindings('acme-1', f));
    await ask(() => b.findings.putFindings('bolt-1', [f[1] as StoredFinding]));
    await ask(() => b.findings.putFindings('nope', f));
    await ask(() => b.findings.getFindings('acme-1'));
    await ask(() => b.findings.deliveriesWithFindings('poisoning'));
    await ask(() => b.findings.deliveriesWithFindings('secrets', 'aws-access-key'));
    await ask(() => b.findings.deliveriesWithFindings('secrets', 'other'));
    await ask(() => b.findings.putFindings('bolt-1', []));
    await ask(() => b.findings.getFindings('bolt-1'));
    return out;
  }

  test('every answer and refusal equals SQLite', async () => {
    const lite: Backend = {
      store: await createSqliteLineageStore({ path: join(dir, 'home', 'provenant.db'), synchronous: 'normal' }),
      findings: await createSqliteFindingStore({ path: join(dir, 'home', 'provenant.db'), synchronous: 'normal' }),
    };
    const schema = freshSchema();
    schemas.push(schema);
    const pg: Backend = { store: await createPostgresLineageStore({ url, schema, maxConnections: 3 }), findings: await createPostgresFindingStore({ url, schema, maxConnections: 2 }) };
    try {
      const expected = await script(lite);
      const actual = await script(pg);
      // The script exercised what it claims: inserts, idempotent repeats and refusals.
      assert.deepEqual(expected.slice(0, 6), [2, 0, { inserted: true }, { inserted: false }, { refused: 'LINEAGE_CONFLICT' }, { refused: 'LINEAGE_NOT_FOUND' }]);
      assert.ok(expected.some((x) => JSON.stringify(x) === '{"refused":"LINEAGE_CYCLE"}'));
      assert.equal(actual.length, expected.length);
      for (const [i, e] of expected.entries()) assert.deepEqual(actual[i], e, `answer ${i}`);
    } finally {
      await lite.store.close();
      await lite.findings.close();
      await pg.store.close();
      await pg.findings.close();
    }
  });

  test('text PostgreSQL cannot hold is refused with a coded error, and a reopened store keeps its graph', async () => {
    const schema = freshSchema();
    schemas.push(schema);
    const store = await createPostgresLineageStore({ url, schema, maxConnections: 2 });
    try {
      await assert.rejects(store.putModel({ name: 'm\u0000' }), (e: unknown) => e instanceof ProvenantError && e.code === 'LINEAGE_INVALID_ARGUMENT');
      assert.deepEqual(await store.putModel({ name: 'base' }), { inserted: true });
      assert.deepEqual(await store.putModel({ name: 'tuned', base: 'base' }), { inserted: true });
    } finally {
      await store.close();
    }
    await assert.rejects(store.listModels(), (e: unknown) => e instanceof ProvenantError && e.code === 'STORE_CLOSED');
    const again = await createPostgresLineageStore({ url, schema, maxConnections: 2 });
    try {
      assert.equal(await again.schemaVersion(), 3);
      assert.deepEqual(await again.modelAncestors(['tuned']), new Map([['tuned', ['base']]]));
    } finally {
      await again.close();
    }
  });
});
