/**
 * Every lineage command works unchanged on PostgreSQL (issue 6): the real CLI runs one flow
 * (seal → intake → lineage derive/run/model/deploy → incident add → impact → trace → vendor
 * pause/report → bom) once on the embedded SQLite store and once with PROVENANT_DATABASE_URL set
 * (tables in a throw-away schema named by PROVENANT_DATABASE_SCHEMA), and both transcripts must be
 * identical. Skips with a visible note when PostgreSQL does not answer (never when
 * PROVENANT_TEST_DATABASE_URL is set: then a dead server fails the run).
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminPool, dropSchema, findTestDatabase, freshSchema } from '../../src/store/postgres/pg-fixture.js';
import { clean, jsonl, poisoned, put } from '../inspect/fixtures.js';
import { cli, tempDir } from './helpers.js';

const found = await findTestDatabase();

interface Step {
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
}

describe('lineage commands on PostgreSQL', () => {
  if ('skip' in found) {
    test('same outputs as SQLite', (t) => t.skip(found.skip));
    return;
  }
  const { url } = found;
  const admin = adminPool(url);
  const schema = freshSchema('provenant_cli');
  let dir: string;

  before(async () => {
    dir = await tempDir('provenant-lineage-pg-');
    // Seals are made once, into a home neither flow uses, so both stores start empty.
    const sealHome = { PROVENANT_HOME: join(dir, 'seal-home') };
    for (const args of [
      ['keygen', '--out', 'acme'],
      ['keygen', '--out', 'beta'],
    ]) {
      const r = await cli(dir, args, sealHome);
      assert.equal(r.code, 0, r.stderr);
    }
    // Offset: poisoned() starts with clean(1500), and the two vendors must not share records.
    const cleanRows = clean(200, 5000);
    const poisonRows = poisoned().rows;
    await put(dir, 'acme/qa.jsonl', jsonl(cleanRows));
    await put(dir, 'beta/qa.jsonl', jsonl(poisonRows));
    await put(dir, 'mix/train.jsonl', jsonl([...cleanRows.slice(0, 50), ...poisonRows.slice(0, 30)]));
    await put(dir, 'leak/dump.jsonl', jsonl([...cleanRows.slice(100, 110), { question: 'never delivered', answer: 'x' }]));
    await writeFile(join(dir, 'trust.yaml'), 'vendors:\n  - name: Acme Data\n    keys:\n      - key: acme.pub\n  - name: Beta Labels\n    keys:\n      - key: beta.pub\n');
    for (const [vendor, key, id, folder] of [
      ['Acme Data', 'acme.key', 'acme-1', 'acme'],
      ['Beta Labels', 'beta.key', 'beta-1', 'beta'],
    ] as const) {
      const r = await cli(dir, ['seal', folder, '--key', key, '--vendor', vendor, '--client', 'Lab', '--delivery-id', id], sealHome);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    await dropSchema(admin, schema).catch(() => undefined);
    await admin.end();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The whole flow on one store; outputs normalized for the times `now` stamps in. */
  async function flow(env: NodeJS.ProcessEnv): Promise<Step[]> {
    const today = new Date().toISOString().slice(0, 10);
    const stamp = new RegExp(`${today}T[0-9:.]+Z`, 'g');
    const steps: Step[] = [];
    const run = async (...args: string[]): Promise<Step> => {
      const r = await cli(dir, args, env);
      assert.equal(r.stderr.includes('internal'), false, `${args.join(' ')}: ${r.stderr}`);
      // A BOM's serial number is derived from its body, which holds the time it was made.
      const step = { args, code: r.code, stdout: r.stdout.replace(stamp, '<now>').replace(/(urn:uuid:|urn:provenant:bom:)[0-9a-f-]{36}/g, '$1<derived>') };
      steps.push(step);
      return step;
    };
    await run('intake', 'acme', '--seal', 'acme.seal', '--trust', 'trust.yaml', '--workers', '0', '--json');
    await run('intake', 'beta', '--seal', 'beta.seal', '--trust', 'trust.yaml', '--workers', '0', '--json');
    await run('intake', 'beta', '--seal', 'beta.seal', '--trust', 'trust.yaml', '--workers', '0', '--json');
    await run('lineage', 'derive', 'mix', '--name', 'mix', '--json');
    await run('lineage', 'derive', 'mix', '--name', 'mix', '--json');
    await run('lineage', 'run', 'r1', '--dataset', 'mix', '--output', 'm1', '--start', '2026-02-01', '--end', '2026-02-02', '--json');
    await run('lineage', 'model', 'm2', '--base', 'm1', '--json');
    await run('lineage', 'model', 'm1', '--base', 'm2');
    await run('lineage', 'deploy', 'm2', '--env', 'prod', '--from', '2026-02-05', '--json');
    await run('incident', 'add', 'INC-1', '--about', 'vendor:Beta Labels', '--description', 'poisoned batch', '--json');
    await run('impact', 'incident:INC-1', '--as-of', '2027-01-01', '--json');
    await run('impact', 'incident:INC-1', '--as-of', '2027-01-01');
    await run('impact', 'finding:poisoning', '--as-of', '2027-01-01', '--json');
    await run('impact', 'vendor:Acme Data', '--as-of', '2027-01-01');
    await run('impact', 'delivery:ghost');
    await run('trace', 'leak', '--json');
    await run('vendor', 'pause', 'Beta Labels', '--reason', 'INC-1');
    await run('vendor', 'report', '--json');
    await run('bom', 'm2', '--format', 'cyclonedx');
    await run('bom', 'm2', '--format', 'spdx');
    return steps;
  }

  test('the same flow gives the same outputs on SQLite and on PostgreSQL', async () => {
    const lite = await flow({ PROVENANT_HOME: join(dir, 'sqlite-home') });
    const pg = await flow({ PROVENANT_HOME: join(dir, 'pg-home'), PROVENANT_DATABASE_URL: url, PROVENANT_DATABASE_SCHEMA: schema });

    // The flow did what a user expects (on SQLite; PostgreSQL is compared to it below).
    const by = (prefix: string, n = 0) => lite.filter((s) => s.args.join(' ').startsWith(prefix))[n] as Step;
    assert.equal(by('intake acme').code, 0, by('intake acme').stdout);
    assert.equal(by('intake beta').code, 1, 'poisoned delivery is quarantined');
    assert.equal((JSON.parse(by('intake beta', 1).stdout) as { registered: { inserted: boolean } }).registered.inserted, false, 'second intake changes nothing');
    assert.equal(by('lineage model m1').code, 2, 'a fine-tune loop is refused');
    const impact = JSON.parse(by('impact incident:INC-1 --as-of 2027-01-01 --json').stdout) as { summary: { deliveries: number; taintedRecords: number; models: number; activeDeployments: number } };
    assert.deepEqual(
      { deliveries: impact.summary.deliveries, tainted: impact.summary.taintedRecords, models: impact.summary.models, active: impact.summary.activeDeployments },
      { deliveries: 1, tainted: 30, models: 2, active: 1 },
    );
    const byFinding = JSON.parse(by('impact finding:poisoning').stdout) as { deliveries: { deliveryId: string }[] };
    assert.deepEqual(byFinding.deliveries.map((d) => d.deliveryId), ['beta-1']);
    assert.equal(by('impact delivery:ghost').code, 2);
    assert.match(by('trace leak').stdout, /acme-1/);
    assert.match(by('vendor report').stdout, /Beta Labels/);
    assert.match(by('bom m2 --format cyclonedx').stdout, /CycloneDX/);

    // PostgreSQL: step for step the same exit codes and outputs.
    assert.equal(pg.length, lite.length);
    for (const [i, s] of lite.entries()) {
      const p = pg[i] as Step;
      assert.equal(p.code, s.code, `${s.args.join(' ')}: exit code`);
      assert.equal(p.stdout, s.stdout, `${s.args.join(' ')}: output`);
    }

    // And the PostgreSQL flow really used PostgreSQL: its tables hold the deliveries, the SQLite
    // file of its home was never created.
    const rows = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.lineage_deliveries`);
    assert.equal(rows.rows[0]?.n, '2');
    const findings = await admin.query<{ n: string }>(`SELECT count(DISTINCT delivery_seq) AS n FROM ${schema}.findings WHERE detector = 'poisoning'`);
    assert.equal(findings.rows[0]?.n, '1');
    await assert.rejects(import('node:fs/promises').then((fs) => fs.access(join(dir, 'pg-home', 'provenant.db'))));
  });

  test('seal registers into the schema PROVENANT_DATABASE_SCHEMA names', async () => {
    const other = freshSchema('provenant_cli');
    try {
      const r = await cli(dir, ['seal', 'acme', '--key', 'acme.key', '--vendor', 'Acme Data', '--client', 'Lab', '--delivery-id', 'acme-2', '--out', 'acme2.seal'], {
        PROVENANT_HOME: join(dir, 'x-home'),
        PROVENANT_DATABASE_URL: url,
        PROVENANT_DATABASE_SCHEMA: other,
      });
      assert.equal(r.code, 0, r.stderr);
      const rows = await admin.query<{ id: string }>(`SELECT id FROM ${other}.deliveries`);
      assert.deepEqual(rows.rows.map((x) => x.id), ['acme-2']);
    } finally {
      await dropSchema(admin, other);
    }
  });

  test('a bad schema name or a database URL of another kind is refused with a coded error', async () => {
    const bad = await cli(dir, ['vendor', 'report'], { PROVENANT_HOME: join(dir, 'x-home'), PROVENANT_DATABASE_URL: url, PROVENANT_DATABASE_SCHEMA: 'Robert"; DROP' });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /STORE_INVALID_ARGUMENT/);
    const mysql = await cli(dir, ['impact', 'vendor:x'], { PROVENANT_HOME: join(dir, 'x-home'), PROVENANT_DATABASE_URL: 'mysql://root@127.0.0.1/x' });
    assert.equal(mysql.code, 2, mysql.stderr);
    assert.match(mysql.stderr, /STORE_BAD_URL/);
  });
});
