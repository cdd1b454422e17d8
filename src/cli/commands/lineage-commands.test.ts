/** The lineage commands end to end (in-process, against a temp store). */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { exitCodeFor, ProvenantError } from '../../core/index.js';
import { createFixture, csv, jsonl, recs, type Fixture } from '../../lineage/testing.js';
import { parseInvocation, type Command } from '../command.js';
import { impact } from './impact.js';
import { incidentAdd } from './incident-add.js';
import { lineageDeploy } from './lineage-deploy.js';
import { lineageDerive } from './lineage-derive.js';
import { lineageImport } from './lineage-import.js';
import { lineageModel } from './lineage-model.js';
import { lineageRun } from './lineage-run.js';

async function run(fx: Fixture, cmd: Command, argv: string[]): Promise<{ code: number; stdout: string; error?: ProvenantError }> {
  let out = '';
  const stdout = new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) });
  const stderr = new Writable({ write: (_c, _e, cb) => cb() });
  const io = { stdout, stderr, env: { PROVENANT_HOME: join(fx.dir, 'home') }, cwd: fx.dir };
  try {
    const inv = parseInvocation(cmd, argv, io);
    if (inv === 'help') return { code: 0, stdout: '' };
    return { code: await cmd.run(inv), stdout: out };
  } catch (err) {
    return { code: exitCodeFor(err), stdout: out, ...(err instanceof ProvenantError ? { error: err } : {}) };
  }
}

describe('lineage CLI', () => {
  let fx: Fixture;
  before(async () => {
    fx = await createFixture();
    await fx.deliver({ vendor: 'acme', id: 'acme-1', rows: recs('a', 30) });
    await fx.deliver({ vendor: 'bolt', id: 'bolt-1', rows: recs('b', 30), meta: { collection: { start: '2026-01-10T00:00:00Z', end: '2026-01-20T00:00:00Z' } } });
    await fx.write('mix/a.csv', csv(recs('a', 30).slice(0, 10)));
    await fx.write('mix/b.jsonl', jsonl(recs('b', 30).slice(5, 25)));
  });
  after(() => fx.dispose());

  test('derive, run, model, deploy, incident, impact --json', async () => {
    const d = await run(fx, lineageDerive, ['mix', '--name', 'mix', '--json']);
    assert.equal(d.code, 0, d.error?.oneLine());
    const dj = JSON.parse(d.stdout) as { dataset: { records: number; matched: number }; deliveries: { deliveryId: string; count: number }[] };
    assert.equal(dj.dataset.records, 30);
    assert.deepEqual(dj.deliveries.map((x) => [x.deliveryId, x.count]), [['acme-1', 10], ['bolt-1', 20]]);
    const r = await run(fx, lineageRun, ['r1', '--dataset', 'mix', '--output', 'm1', '--start', '2026-02-01', '--end', '2026-02-02']);
    assert.equal(r.code, 0, r.error?.oneLine());
    assert.equal((await run(fx, lineageModel, ['m2', '--base', 'm1'])).code, 0);
    assert.equal((await run(fx, lineageDeploy, ['m2', '--env', 'prod', '--from', '2026-02-05'])).code, 0);
    assert.equal((await run(fx, incidentAdd, ['INC-1', '--about', 'vendor:bolt', '--from', '2026-01-01', '--to', '2026-02-01'])).code, 0);
    const i = await run(fx, impact, ['incident:INC-1', '--json', '--as-of', '2026-03-01']);
    assert.equal(i.code, 1);
    const ij = JSON.parse(i.stdout) as { summary: { models: number; activeDeployments: number; taintedRecords: number }; plan: { action: string }[] };
    assert.deepEqual(ij.summary.models, 2);
    assert.equal(ij.summary.activeDeployments, 1);
    assert.equal(ij.summary.taintedRecords, 20);
    assert.deepEqual([...new Set(ij.plan.map((p) => p.action))], ['pause-vendor', 'quarantine', 'retrain', 'rollback']);
    const text = await run(fx, impact, ['vendor:bolt', '--as-of', '2026-03-01']);
    assert.match(text.stdout, /mix: 20 of 30 records tainted \(66\.7%\)/);
    const none = await run(fx, impact, ['vendor:nobody']);
    assert.equal(none.code, 0);
  });

  test('bad input exits 2 with a coded error', async () => {
    assert.equal((await run(fx, impact, ['vendor'])).error?.code, 'LINEAGE_SELECTOR_INVALID');
    assert.equal((await run(fx, lineageDerive, ['mix'])).error?.code, 'CLI_USAGE');
    assert.equal((await run(fx, lineageRun, ['r9', '--dataset', 'ghost', '--output', 'm'])).code, 2);
    assert.equal((await run(fx, lineageDeploy, ['m2', '--env', 'prod', '--from', 'soon'])).error?.code, 'LINEAGE_INVALID_TIME');
    await fx.write('ol.jsonl', '{"eventTime": "2026-01-01T00:00:00Z"}\n');
    const ol = await run(fx, lineageImport, ['ol.jsonl']);
    assert.equal(ol.code, 2);
    assert.equal(ol.error?.code, 'LINEAGE_OPENLINEAGE_INVALID');
    await fx.write('bin.jsonl', '\uFFFD');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(fx.dir, 'bin.jsonl'), Buffer.from([0xff, 0xfe, 0x00]));
    assert.equal((await run(fx, lineageImport, ['bin.jsonl'])).error?.code, 'LINEAGE_OPENLINEAGE_INVALID');
    assert.equal((await run(fx, incidentAdd, ['X', '--about', 'incident:Y'])).error?.code, 'LINEAGE_SELECTOR_INVALID');
  });
});
