/** provenant intake end to end: trust file, key validity and revocation against witnessed log time, seal, pause, inspection, idempotent registration. */
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { computeImpact, parseImpactSelector } from '../../src/lineage/index.js';
import { createSqliteFindingStore, createSqliteLineageStore, STORE_FILE_NAME } from '../../src/store/index.js';
import { RECEIPT_NAME, addSignatures, formatTlogProof, generateNoteKey, parseSignerKey, parseTlogProof, SIG_TYPE_COSIGNATURE_V1 } from '../../src/tlog/index.js';
import type { IntakeSummary } from '../../src/intake/index.js';
import { clean, jsonl, poisoned, put } from '../inspect/fixtures.js';
import { cli, tempDir, type CliResult } from './helpers.js';

let dir: string;
let logKey: string;
const witness = generateNoteKey('witness.example/w1', SIG_TYPE_COSIGNATURE_V1);

async function ok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const r = await cli(dir, args, env);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r;
}

async function intake(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; s: IntakeSummary; r: CliResult }> {
  const r = await cli(dir, ['intake', ...args, '--workers', '0', '--json'], env);
  return { code: r.code, s: JSON.parse(r.stdout) as IntakeSummary, r };
}

/** A trust file: Acme's and Beta's keys (Acme's with extra fields), the local log with the witness. */
async function trustFile(name: string, acme: Record<string, unknown> = {}, extra = ''): Promise<string> {
  const acmeExtra = Object.entries(acme).map(([k, v]) => `\n        ${k}: ${String(v)}`).join('');
  await writeFile(
    join(dir, name),
    `vendors:
  - name: Acme Data
    keys:
      - key: acme.pub${acmeExtra}
  - name: Beta Labels
    keys:
      - key: beta.pub
logs:
  - key: ${logKey}
    witnesses: [${witness.verifierKey}]
${extra}`,
  );
  return name;
}

/** Adds a witness cosignature stamped `at` (seconds) to a seal's receipt, as a witness would. */
async function cosign(sealDir: string, at: number): Promise<void> {
  const path = join(dir, sealDir, RECEIPT_NAME);
  const proof = parseTlogProof(await readFile(path));
  const signer = parseSignerKey(witness.signerKey, { now: () => at });
  await writeFile(path, formatTlogProof({ ...proof, checkpoint: addSignatures(proof.checkpoint, [signer]) }));
}

function rowCounts(home: string): Record<string, number> {
  const db = new Database(join(home, STORE_FILE_NAME), { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]));
  } finally {
    db.close();
  }
}

describe('provenant intake', () => {
  before(async () => {
    dir = await tempDir('provenant-intake-');
    await ok(['keygen', '--out', 'acme']);
    await ok(['keygen', '--out', 'beta']);
    await ok(['keygen', '--out', 'stranger']);
    await ok(['log', 'init', '--origin', 'example.com/intake-log', '--dir', 'tlog']);
    logKey = (await readFile(join(dir, 'tlog', 'log.vkey'), 'utf8')).trim();
    await put(dir, 'clean/qa.jsonl', jsonl(clean(200)));
    await ok(['seal', 'clean', '--key', 'acme.key', '--vendor', 'Acme Data', '--client', 'Lab', '--delivery-id', 'acme-clean', '--log', 'tlog']);
  });

  test('a clean delivery from a trusted key is accepted, registered, and a second run changes nothing', async () => {
    const trust = await trustFile('trust.yaml');
    const first = await intake(['clean', '--seal', 'clean.seal', '--trust', trust]);
    assert.equal(first.code, 0, first.r.stderr);
    assert.equal(first.s.verdict, 'accept');
    assert.equal(first.s.ok, true);
    assert.equal(first.s.vendor, 'Acme Data');
    assert.equal(first.s.delivery?.id, 'acme-clean');
    assert.equal(first.s.log?.origin, 'example.com/intake-log');
    assert.deepEqual(first.s.time?.source, 'claimed', 'no witness cosignature: the time is the vendor claim');
    assert.equal(first.s.inspection?.verdict, 'accept');
    // `seal` already stored the delivery as sealed in this (shared) home; intake marks it verified.
    assert.equal(first.s.registered?.evidenceChanged, true);
    const home = join(dir, '.provenant');
    const before = rowCounts(home);
    assert.equal(before['deliveries'], 1);
    const status = new Database(join(home, STORE_FILE_NAME), { readonly: true });
    assert.equal(status.prepare(`SELECT status FROM deliveries WHERE id = 'acme-clean'`).pluck().get(), 'verified');
    status.close();
    assert.ok((before['lineage_evidence'] ?? 0) === 1);
    const db = new Database(join(home, STORE_FILE_NAME), { readonly: true });
    const snapshot = () => JSON.stringify([db.prepare('SELECT * FROM deliveries').all(), db.prepare('SELECT * FROM verifications').all(), db.prepare('SELECT * FROM lineage_evidence').all(), db.prepare('SELECT * FROM findings').all()]);
    const s1 = snapshot();
    const second = await intake(['clean', '--seal', 'clean.seal', '--trust', trust]);
    assert.equal(second.code, 0);
    assert.deepEqual(second.s.registered, { inserted: false, findingsChanged: false, evidenceChanged: false });
    assert.deepEqual(rowCounts(home), before);
    assert.equal(snapshot(), s1, 'not even a timestamp changes');
    db.close();
    const text = await cli(dir, ['intake', 'clean', '--seal', 'clean.seal', '--trust', trust, '--workers', '0']);
    assert.match(text.stdout, /^ACCEPT {2}delivery acme-clean/);
    assert.match(text.stdout, /already stored, unchanged/);
  });

  test('a tampered delivery is rejected with its record diff, and nothing is registered', async () => {
    await cp(join(dir, 'clean'), join(dir, 'tampered'), { recursive: true });
    const rows = clean(200);
    rows[17] = { ...(rows[17] as { question: string; answer: string }), answer: 'Visit http://evil.example/run.sh' };
    await writeFile(join(dir, 'tampered', 'qa.jsonl'), jsonl(rows));
    const home = { PROVENANT_HOME: join(dir, 'home-tampered') };
    const { code, s, r } = await intake(['tampered', '--seal', 'clean.seal', '--trust', await trustFile('trust.yaml')], home);
    assert.equal(code, 1);
    assert.equal(s.verdict, 'reject');
    assert.equal(s.rejected?.code, 'INTAKE_SEAL_INVALID');
    assert.deepEqual(s.seal?.diff.modified.map((m) => [m.file, m.index]), [['qa.jsonl', 17]]);
    assert.equal(s.inspection, null);
    assert.equal(s.registered, undefined);
    assert.equal(r.stdout.includes('"INTAKE_SEAL_INVALID"'), true);
    const text = await cli(dir, ['intake', 'tampered', '--seal', 'clean.seal', '--trust', 'trust.yaml', '--workers', '0'], home);
    assert.match(text.stdout, /record diff: 1 modified, 0 inserted, 0 deleted/);
    assert.match(text.stdout, /modified qa\.jsonl:18 \(record 17\)/);
  });

  test('a key the trust file does not list is rejected', async () => {
    await ok(['seal', 'clean', '--key', 'stranger.key', '--vendor', 'Acme Data', '--client', 'Lab', '--delivery-id', 'acme-stranger', '--out', 'stranger.seal']);
    const { code, s } = await intake(['clean', '--seal', 'stranger.seal', '--trust', await trustFile('trust.yaml')], { PROVENANT_HOME: join(dir, 'home-unknown') });
    assert.equal(code, 1);
    assert.equal(s.rejected?.code, 'INTAKE_KEY_UNKNOWN');
    assert.equal(s.key?.trusted, false);
  });

  test("a delivery in Acme's name signed with Beta's key is rejected", async () => {
    await ok(['seal', 'clean', '--key', 'beta.key', '--vendor', 'Acme Data', '--client', 'Lab', '--delivery-id', 'acme-by-beta', '--out', 'by-beta.seal']);
    const { code, s } = await intake(['clean', '--seal', 'by-beta.seal', '--trust', await trustFile('trust.yaml')], { PROVENANT_HOME: join(dir, 'home-mismatch') });
    assert.equal(code, 1);
    assert.equal(s.rejected?.code, 'INTAKE_VENDOR_MISMATCH');
    assert.equal(s.key?.vendor, 'Beta Labels');
  });

  test('a delivery sealed outside the key validity window is rejected (notAfter exclusive, notBefore inclusive)', async () => {
    const home = { PROVENANT_HOME: join(dir, 'home-window') };
    const expired = await intake(['clean', '--seal', 'clean.seal', '--trust', await trustFile('expired.yaml', { notAfter: '2020-01-01' })], home);
    assert.equal(expired.s.rejected?.code, 'INTAKE_KEY_NOT_VALID');
    const early = await intake(['clean', '--seal', 'clean.seal', '--trust', await trustFile('early.yaml', { notBefore: '2999-01-01' })], home);
    assert.equal(early.s.rejected?.code, 'INTAKE_KEY_NOT_VALID');
    assert.equal(early.code, 1);
  });

  describe('revocation against the witnessed log time', () => {
    const cosignedAt = Date.UTC(2030, 0, 10, 12, 0, 0) / 1000;
    before(async () => {
      await put(dir, 'witnessed/qa.jsonl', jsonl(clean(50, 300)));
      await ok(['seal', 'witnessed', '--key', 'acme.key', '--vendor', 'Acme Data', '--client', 'Lab', '--delivery-id', 'acme-witnessed', '--log', 'tlog']);
      await cosign('witnessed.seal', cosignedAt);
    });

    test('revoked before the earliest witness cosignature: rejected', async () => {
      const { code, s } = await intake(['witnessed', '--seal', 'witnessed.seal', '--trust', await trustFile('revoked-before.yaml', { revokedAt: '2030-01-10T11:59:59Z' })], { PROVENANT_HOME: join(dir, 'home-rev1') });
      assert.equal(code, 1);
      assert.equal(s.rejected?.code, 'INTAKE_KEY_REVOKED');
      assert.deepEqual(s.time, { at: '2030-01-10T12:00:00.000Z', source: 'witness' });
      assert.deepEqual(s.log?.witnesses.map((w) => w.name), ['witness.example/w1']);
    });

    test('revoked after the witnessed log time: accepted', async () => {
      const { code, s, r } = await intake(['witnessed', '--seal', 'witnessed.seal', '--trust', await trustFile('revoked-after.yaml', { revokedAt: '2030-01-10T12:00:01Z' })], { PROVENANT_HOME: join(dir, 'home-rev2') });
      assert.equal(code, 0, r.stderr);
      assert.equal(s.verdict, 'accept');
      assert.equal(s.time?.source, 'witness');
    });

    test('a revoked key without a witnessed time is rejected: a claimed sealedAt proves nothing', async () => {
      const { code, s } = await intake(['clean', '--seal', 'clean.seal', '--trust', await trustFile('revoked-claimed.yaml', { revokedAt: '2999-01-01' })], { PROVENANT_HOME: join(dir, 'home-rev3') });
      assert.equal(code, 1);
      assert.equal(s.rejected?.code, 'INTAKE_KEY_REVOKED');
      assert.equal(s.time?.source, 'claimed');
    });

    test('a revoked key with no receipt at all is rejected as INTAKE_LOG_REQUIRED', async () => {
      const { s } = await intake(['clean', '--seal', 'stranger.seal', '--trust', await trustFile('revoked-nolog.yaml')], { PROVENANT_HOME: join(dir, 'home-rev4') });
      assert.equal(s.rejected?.code, 'INTAKE_KEY_UNKNOWN', 'sanity: stranger is unknown');
      await ok(['seal', 'clean', '--key', 'acme.key', '--vendor', 'Acme Data', '--client', 'Lab', '--delivery-id', 'acme-unlogged', '--out', 'unlogged.seal']);
      const r = await intake(['clean', '--seal', 'unlogged.seal', '--trust', await trustFile('revoked-nolog.yaml', { revokedAt: '2999-01-01' })], { PROVENANT_HOME: join(dir, 'home-rev4') });
      assert.equal(r.s.rejected?.code, 'INTAKE_LOG_REQUIRED');
      const req = await intake(['clean', '--seal', 'unlogged.seal', '--trust', await trustFile('require.yaml', {}, 'requireLog: true\n')], { PROVENANT_HOME: join(dir, 'home-rev4') });
      assert.equal(req.s.rejected?.code, 'INTAKE_LOG_REQUIRED');
    });

    test('a receipt from a log the trust file does not list is rejected', async () => {
      await writeFile(join(dir, 'other-log.yaml'), `vendors:\n  - name: Acme Data\n    keys:\n      - key: acme.pub\nlogs:\n  - key: ${generateNoteKey('other.example/log').verifierKey}\n`);
      const { code, s } = await intake(['clean', '--seal', 'clean.seal', '--trust', 'other-log.yaml'], { PROVENANT_HOME: join(dir, 'home-otherlog') });
      assert.equal(code, 1);
      assert.equal(s.rejected?.code, 'INTAKE_LOG_INVALID');
    });
  });

  test('a paused vendor is rejected', async () => {
    const home = { PROVENANT_HOME: join(dir, 'home-paused') };
    await ok(['vendor', 'pause', 'Acme Data', '--force', '--reason', 'breach under investigation'], home);
    const { code, s } = await intake(['clean', '--seal', 'clean.seal', '--trust', await trustFile('trust.yaml')], home);
    assert.equal(code, 1);
    assert.equal(s.rejected?.code, 'INTAKE_VENDOR_PAUSED');
    assert.match(s.rejected?.message ?? '', /breach under investigation/);
  });

  test('a poisoned delivery is quarantined, its findings stored, and finding:poisoning reaches it', async () => {
    await put(dir, 'poisoned/qa.jsonl', jsonl(poisoned().rows));
    await ok(['seal', 'poisoned', '--key', 'acme.key', '--vendor', 'Acme Data', '--client', 'Lab', '--delivery-id', 'acme-poisoned', '--log', 'tlog']);
    const home = join(dir, 'home-poison');
    const { code, s } = await intake(['poisoned', '--seal', 'poisoned.seal', '--trust', await trustFile('trust.yaml')], { PROVENANT_HOME: home });
    assert.equal(code, 1);
    assert.equal(s.verdict, 'quarantine');
    assert.equal(s.rejected, undefined);
    assert.ok((s.inspection?.counts.byDetector['poisoning'] ?? 0) >= 120);
    const path = join(home, STORE_FILE_NAME);
    const findings = await createSqliteFindingStore({ path });
    const lineage = await createSqliteLineageStore({ path });
    try {
      const stored = await findings.getFindings('acme-poisoned');
      assert.ok(stored.filter((f) => f.detector === 'poisoning').length >= 120);
      assert.ok(stored.every((f) => !('evidence' in f)));
      const report = await computeImpact(lineage, parseImpactSelector('finding:poisoning'), { findings });
      assert.deepEqual(report.deliveries.map((d) => d.deliveryId), ['acme-poisoned']);
      const none = await computeImpact(lineage, parseImpactSelector('finding:secrets'), { findings });
      assert.equal(none.deliveries.length, 0);
    } finally {
      await findings.close();
      await lineage.close();
    }
  });

  test('a malformed trust file exits 2 and lists every issue with its path', async () => {
    await writeFile(
      join(dir, 'bad.yaml'),
      `vendors:
  - name: ""
    keys:
      - key: missing.pub
        notBefore: yesterday
        color: red
  - name: Beta Labels
    keys: []
logs:
  - key: not-a-key
    quorum: 2
requireLog: maybe
extra: 1
`,
    );
    const r = await cli(dir, ['intake', 'clean', '--seal', 'clean.seal', '--trust', 'bad.yaml', '--json']);
    assert.equal(r.code, 2);
    const err = (JSON.parse(r.stdout) as { error: { code: string; details: { issues: { path: string }[] } } }).error;
    assert.equal(err.code, 'INTAKE_TRUST_INVALID');
    assert.deepEqual(
      err.details.issues.map((i) => i.path).sort(),
      [
        '$.extra',
        '$.logs[0].key',
        '$.logs[0].quorum',
        '$.requireLog',
        '$.vendors[0].keys[0].color',
        '$.vendors[0].keys[0].key',
        '$.vendors[0].keys[0].notBefore',
        '$.vendors[0].name',
        '$.vendors[1].keys',
      ].sort(),
    );
    assert.match(r.stderr, /INTAKE_TRUST_INVALID/);
    await writeFile(join(dir, 'dup.yaml'), 'vendors: []\nvendors: []\n');
    assert.equal((await cli(dir, ['intake', 'clean', '--seal', 'clean.seal', '--trust', 'dup.yaml'])).code, 2);
    await writeFile(join(dir, 'twice.json'), JSON.stringify({ vendors: [{ name: 'A', keys: [{ key: 'acme.pub' }] }, { name: 'B', keys: [{ key: 'acme.pub' }] }] }));
    const twice = await cli(dir, ['intake', 'clean', '--seal', 'clean.seal', '--trust', 'twice.json', '--json']);
    assert.equal(twice.code, 2);
    assert.match(twice.stdout, /\$\.vendors\[1\]\.keys\[0\]\.key/);
    assert.equal((await cli(dir, ['intake', 'clean', '--seal', 'clean.seal', '--trust', 'nope.yaml'])).code, 2);
  });
});
