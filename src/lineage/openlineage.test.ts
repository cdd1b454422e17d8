import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProvenantError } from '../core/index.js';
import { deriveDataset } from './derive.js';
import { computeImpact, parseSelector } from './impact.js';
import { importOpenLineage, parseOpenLineage } from './openlineage.js';
import { createFixture, jsonl, recs, type Fixture } from './testing.js';

const ev = (o: Record<string, unknown>) =>
  JSON.stringify({ eventType: 'START', eventTime: '2026-02-03T10:00:00Z', run: { runId: 'run-1' }, job: { namespace: 'train', name: 'sft' }, producer: 'x', schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent', ...o });

function rejectsAt(text: string, line: number): void {
  assert.throws(
    () => parseOpenLineage(text, { file: 'ol.jsonl' }),
    (e: unknown) => e instanceof ProvenantError && e.code === 'LINEAGE_OPENLINEAGE_INVALID' && e.location?.line === line,
    text.slice(0, 120),
  );
}

describe('OpenLineage import', () => {
  let fx: Fixture;
  before(async () => {
    fx = await createFixture();
    await fx.deliver({ vendor: 'bolt', id: 'bolt-1', rows: recs('b', 20) });
    await fx.write('mix/m.jsonl', jsonl(recs('b', 20).slice(0, 5)));
    await deriveDataset({ path: join(fx.dir, 'mix'), name: 'mix', store: fx.store });
  });
  after(() => fx.dispose());

  test('START and COMPLETE events of one run merge; provenant datasets and models map by namespace', async () => {
    const text = [
      ev({ inputs: [{ namespace: 'provenant', name: 'mix' }] }),
      '',
      ev({ eventType: 'COMPLETE', eventTime: '2026-02-03T12:00:00+02:00', outputs: [{ namespace: 'model', name: 'sft-1' }, { namespace: 's3://bucket', name: 'eval/out' }] }),
    ].join('\n');
    const runs = parseOpenLineage(text, { file: 'ol.jsonl' });
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.start, '2026-02-03T10:00:00.000Z');
    assert.equal(runs[0]?.end, '2026-02-03T10:00:00.000Z');
    assert.deepEqual(runs[0]?.outputs, [{ kind: 'model', name: 'sft-1' }, { kind: 'dataset', name: 's3://bucket/eval/out' }]);
    const res = await importOpenLineage(fx.store, text, { file: 'ol.jsonl' });
    assert.deepEqual(res, { runs: 1, inserted: 1, models: ['sft-1'], datasets: ['mix', 's3://bucket/eval/out'] });
    const impact = await computeImpact(fx.store, parseSelector('delivery:bolt-1'));
    assert.deepEqual(impact.models.map((m) => m.name), ['sft-1']);
    assert.deepEqual(impact.datasets.map((d) => [d.name, d.taintedRecords]), [['mix', 5], ['s3://bucket/eval/out', null]]);
    assert.equal((await importOpenLineage(fx.store, text, { file: 'ol.jsonl' })).inserted, 0);
  });

  test('malformed events are refused with the line named, and nothing is stored', async () => {
    const ok = ev({});
    rejectsAt(`${ok}\n{"eventTime": `, 2);
    rejectsAt(`${ok}\n[1,2]`, 2);
    rejectsAt(ev({ eventTime: 'yesterday' }), 1);
    rejectsAt(ev({ eventTime: '2026-02-30T00:00:00Z' }), 1);
    rejectsAt(ev({ eventType: 'EXPLODE' }), 1);
    rejectsAt(ev({ run: {} }), 1);
    rejectsAt(ev({ run: { runId: 7 } }), 1);
    rejectsAt(ev({ job: { name: 'x' } }), 1);
    rejectsAt(ev({ inputs: {} }), 1);
    rejectsAt(ev({ inputs: [{ namespace: 'provenant' }] }), 1);
    rejectsAt(ev({ inputs: [{ namespace: 'provenant', name: 'a\u0000b' }] }), 1);
    rejectsAt(`${ok}\n${ok.replace('"run"', '"run": 1, "run"')}`, 2);
    rejectsAt(`${ok}\n${ev({ eventTime: '2026-02-03T11:00:00Z' })}`, 2);
    rejectsAt(`${ok}\n${ev({ job: { namespace: 'other', name: 'job' } })}`, 2);
    rejectsAt(`${ok}\n${ev({ eventType: 'COMPLETE', eventTime: '2026-02-01T00:00:00Z' })}`, 2);
    rejectsAt('x'.repeat((1 << 20) + 1), 1);
    assert.throws(() => parseOpenLineage('\n\n', { file: 'e' }), (e: unknown) => e instanceof ProvenantError && e.code === 'LINEAGE_EMPTY_INPUT');
    await assert.rejects(importOpenLineage(fx.store, `${ev({ run: { runId: 'run-9' }, outputs: [{ namespace: 'model', name: 'm9' }] })}\nnot json`, { file: 'ol' }));
    assert.equal(await fx.store.getNode({ kind: 'run', name: 'run-9' }), undefined);
  });
});
