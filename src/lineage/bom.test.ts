import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ProvenantError } from '../core/index.js';
import { sharedDir } from '../seal/testutil.js';
import { exportBom } from './bom.js';
import { registerModel, registerRun } from './declare.js';
import { deriveDataset } from './derive.js';
import { createFixture, jsonl, recs, type Fixture } from './testing.js';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = (addFormatsModule as unknown as { default: (a: Ajv) => void }).default ?? (addFormatsModule as unknown as (a: Ajv) => void);

function cyclonedxValidator() {
  const dir = join(sharedDir(), 'schemas', 'cyclonedx');
  const load = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Formats the CycloneDX schema names that ajv-formats does not know; the values we emit are plain.
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', true);
  ajv.addSchema(load('spdx.schema.json'));
  ajv.addSchema(load('jsf-0.82.schema.json'));
  return ajv.compile(load('bom-1.6.schema.json'));
}

describe('bom', () => {
  let fx: Fixture;
  const now = new Date('2026-03-01T00:00:00Z');
  before(async () => {
    fx = await createFixture();
    await fx.deliver({ vendor: 'acme', id: 'acme-1', rows: recs('a', 10) });
    await fx.deliver({ vendor: 'bolt', id: 'bolt-1', rows: recs('b', 10) });
    await fx.write('m/x.jsonl', jsonl([...recs('a', 10).slice(0, 6), ...recs('b', 10).slice(0, 4)]));
    await deriveDataset({ path: join(fx.dir, 'm'), name: 'mix', store: fx.store });
    await registerRun(fx.store, { id: 'r1', datasets: ['mix'], outputs: ['base'] });
    await registerModel(fx.store, { name: 'chat', base: 'base' });
    await registerRun(fx.store, { id: 'r2', deliveries: ['bolt-1'], outputs: ['chat'] });
  });
  after(() => fx.dispose());

  test('CycloneDX 1.6 ML-BOM validates against the official schema and lists datasets, deliveries, vendors', async () => {
    const bom = await exportBom(fx.store, 'chat', 'cyclonedx', { now });
    const validate = cyclonedxValidator();
    assert.ok(validate(bom), JSON.stringify(validate.errors?.slice(0, 5)));
    const text = JSON.stringify(bom);
    for (const s of ['"machine-learning-model"', 'delivery:acme-1', 'delivery:bolt-1', 'dataset:mix', '"supplier":{"name":"acme"}', 'model:base']) assert.ok(text.includes(s), s);
    assert.deepEqual(await exportBom(fx.store, 'chat', 'cyclonedx', { now }), bom, 'reproducible');
    // The validator is not vacuous: a broken BOM fails it.
    assert.equal(validate({ ...bom, specVersion: 1.6 }), false);
    assert.equal(validate({ ...bom, components: [{ type: 'robot', name: 'x' }] }), false);
  });

  test('SPDX 3.0.1 document with AI and Dataset profiles: every reference resolves', async () => {
    const doc = await exportBom(fx.store, 'chat', 'spdx', { now });
    assert.equal(doc['@context'], 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld');
    const graph = doc['@graph'] as Record<string, unknown>[];
    const ids = new Set<unknown>(graph.map((g) => g['spdxId']).filter((x) => typeof x === 'string'));
    assert.equal(ids.size, graph.filter((g) => g['spdxId'] !== undefined).length, 'unique spdxIds');
    for (const g of graph) if (g['type'] !== 'CreationInfo') assert.equal(g['creationInfo'], '_:creationinfo');
    for (const r of graph.filter((g) => g['type'] === 'Relationship')) {
      assert.ok(ids.has(r['from']));
      for (const t of r['to'] as string[]) assert.ok(ids.has(t), t);
    }
    const types = graph.map((g) => g['type']);
    assert.equal(types.filter((t) => t === 'ai_AIPackage').length, 2);
    assert.equal(types.filter((t) => t === 'dataset_DatasetPackage').length, 3);
    const trained = graph.filter((g) => g['relationshipType'] === 'trainedOn');
    assert.equal(trained.length, 2);
    const docEl = graph.find((g) => g['type'] === 'SpdxDocument');
    assert.deepEqual(docEl?.['profileConformance'], ['core', 'software', 'ai', 'dataset']);
  });

  test('unknown model or format fails with a coded error', async () => {
    await assert.rejects(exportBom(fx.store, 'ghost', 'cyclonedx'), (e: unknown) => e instanceof ProvenantError && e.code === 'LINEAGE_NOT_FOUND');
    await assert.rejects(exportBom(fx.store, 'chat', 'swid'), (e: unknown) => e instanceof ProvenantError && e.code === 'LINEAGE_FORMAT_UNSUPPORTED');
  });
});
