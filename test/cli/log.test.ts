import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, tempDir } from './helpers.js';
import { generateNoteKey, SIG_TYPE_COSIGNATURE_V1, verifySealReceipt } from '../../src/tlog/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const sample = join(repo, 'examples', 'data', 'acme-2026-11');

interface World {
  dir: string;
  vkey: string;
}

/** A vendor key, a local log, and two deliveries a and b sealed and logged in it. */
async function world(): Promise<World> {
  const dir = await tempDir('provenant-log-');
  await cp(sample, join(dir, 'a'), { recursive: true });
  await cp(sample, join(dir, 'b'), { recursive: true });
  await writeFile(join(dir, 'b', 'extra.jsonl'), '{"q":"another delivery"}\n');
  assert.equal((await cli(dir, ['keygen', '--out', 'v'])).code, 0);
  const init = await cli(dir, ['log', 'init', '--origin', 'example.com/log', '--dir', 'logdir', '--json']);
  assert.equal(init.code, 0, init.stderr);
  const vkey = (JSON.parse(init.stdout) as { verifierKey: string }).verifierKey;
  for (const d of ['a', 'b']) {
    const r = await cli(dir, ['seal', d, '--key', 'v.key', '--vendor', 'Acme', '--client', 'Lab', '--log', 'logdir', '--json']);
    assert.equal(r.code, 0, r.stderr);
  }
  return { dir, vkey };
}

async function verifyLog(w: World, d: string, extra: string[] = [], home = '.provenant'): Promise<{ code: number; out: { ok: boolean; log?: { index?: number; error?: { code: string } } } }> {
  const r = await cli(w.dir, ['verify', d, '--seal', `${d}.seal`, '--key', 'v.pub', '--log-key', w.vkey, '--json', ...extra], { PROVENANT_HOME: join(w.dir, home) });
  return { code: r.code, out: JSON.parse(r.stdout) as { ok: boolean; log?: { index?: number; error?: { code: string } } } };
}

test('seal --log writes a receipt that verify --log-key checks offline', async () => {
  const w = await world();
  const a = await verifyLog(w, 'a');
  assert.equal(a.code, 0);
  assert.equal(a.out.log?.index, 0);
  const b = await verifyLog(w, 'b');
  assert.equal(b.out.log?.index, 1);
  // The public log entry holds digests only: no vendor or client name in clear.
  const entry = await readFile(join(w.dir, 'a.seal', 'log-entry.json'), 'utf8');
  assert.doesNotMatch(entry, /Acme|Lab/);
  // The vkey can also be given as a file.
  const r = await cli(w.dir, ['verify', 'a', '--seal', 'a.seal', '--key', 'v.pub', '--log-key', 'logdir/log.vkey']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('the receipt check uses the bundle bytes verification authenticated, not a re-read of a swapped seal directory', async () => {
  const w = await world();
  const authenticated = await readFile(join(w.dir, 'a.seal', 'bundle.sigstore.json'));
  // After verification the attacker swaps in the other delivery's (validly signed) bundle.
  await cp(join(w.dir, 'b.seal', 'bundle.sigstore.json'), join(w.dir, 'a.seal', 'bundle.sigstore.json'));
  const r = await verifySealReceipt({ sealDir: join(w.dir, 'a.seal'), bundle: authenticated, logKey: w.vkey, stateDir: false });
  assert.equal(r.index, 0);
  // A re-read would check the swapped bundle against a's entry.
  await assert.rejects(verifySealReceipt({ sealDir: join(w.dir, 'a.seal'), logKey: w.vkey, stateDir: false }), { code: 'TLOG_SEAL_ENTRY_MISMATCH' });
});

test('verify --log-key fails with TLOG_RECEIPT_MISSING when the seal was not logged', async () => {
  const w = await world();
  await rm(join(w.dir, 'a.seal', 'log.tlog-proof'));
  const r = await verifyLog(w, 'a');
  assert.equal(r.code, 1);
  assert.equal(r.out.ok, false);
  assert.equal(r.out.log?.error?.code, 'TLOG_RECEIPT_MISSING');
});

test('a receipt copied from another delivery is rejected (TLOG_RECEIPT_ENTRY_MISMATCH)', async () => {
  const w = await world();
  await cp(join(w.dir, 'b.seal', 'log.tlog-proof'), join(w.dir, 'a.seal', 'log.tlog-proof'));
  const r = await verifyLog(w, 'a');
  assert.equal(r.code, 1);
  assert.equal(r.out.log?.error?.code, 'TLOG_RECEIPT_ENTRY_MISMATCH');
});

test('a receipt checked against another log key is rejected (TLOG_RECEIPT_WRONG_KEY)', async () => {
  const w = await world();
  const other = await cli(w.dir, ['log', 'init', '--origin', 'example.com/log', '--dir', 'otherlog', '--json']);
  const vkey = (JSON.parse(other.stdout) as { verifierKey: string }).verifierKey;
  const r = await verifyLog({ dir: w.dir, vkey }, 'a');
  assert.equal(r.code, 1);
  assert.equal(r.out.log?.error?.code, 'TLOG_RECEIPT_WRONG_KEY');
});

test('an edited log-entry.json is rejected (TLOG_SEAL_ENTRY_MISMATCH)', async () => {
  const w = await world();
  const p = join(w.dir, 'a.seal', 'log-entry.json');
  const e = JSON.parse(await readFile(p, 'utf8')) as { vendorSalt: string };
  e.vendorSalt = (e.vendorSalt[0] === '0' ? '1' : '0') + e.vendorSalt.slice(1);
  await writeFile(p, JSON.stringify(e));
  const r = await verifyLog(w, 'a');
  assert.equal(r.code, 1);
  assert.equal(r.out.log?.error?.code, 'TLOG_SEAL_ENTRY_MISMATCH');
});

test('a forked log (same key, same size, another root) raises a split-view alarm', async () => {
  const dir = await tempDir('provenant-fork-');
  await cp(sample, join(dir, 'a'), { recursive: true });
  await cp(sample, join(dir, 'b'), { recursive: true });
  await writeFile(join(dir, 'b', 'extra.jsonl'), '{"q":"fork"}\n');
  await cli(dir, ['keygen', '--out', 'v']);
  const init = await cli(dir, ['log', 'init', '--origin', 'example.com/log', '--dir', 'logdir', '--json']);
  const vkey = (JSON.parse(init.stdout) as { verifierKey: string }).verifierKey;
  // The log operator keeps a second copy of its empty log and shows each verifier a different tree.
  await cp(join(dir, 'logdir'), join(dir, 'forkdir'), { recursive: true });
  assert.equal((await cli(dir, ['seal', 'a', '--key', 'v.key', '--vendor', 'A', '--client', 'L', '--log', 'logdir'])).code, 0);
  assert.equal((await cli(dir, ['seal', 'b', '--key', 'v.key', '--vendor', 'A', '--client', 'L', '--log', 'forkdir'])).code, 0);
  const w = { dir, vkey };
  assert.equal((await verifyLog(w, 'a')).code, 0);
  const b = await verifyLog(w, 'b');
  assert.equal(b.code, 1);
  assert.equal(b.out.log?.error?.code, 'TLOG_SPLIT_VIEW');
  // A verifier with no memory of the first tree has nothing to compare against.
  assert.equal((await verifyLog(w, 'b', [], 'fresh-home')).code, 0);
});

test('requiring a witness quorum fails when the receipt carries no cosignature', async () => {
  const w = await world();
  // A witness key (tlog-cosignature v1, type 0x04) whose witness never cosigned this log.
  const wkey = generateNoteKey('witness.example/w', SIG_TYPE_COSIGNATURE_V1).verifierKey;
  const r = await verifyLog(w, 'a', ['--witness', wkey, '--quorum', '1']);
  assert.equal(r.code, 1);
  assert.equal(r.out.log?.error?.code, 'TLOG_COSIGNATURE_QUORUM');
  const usage = await cli(w.dir, ['verify', 'a', '--seal', 'a.seal', '--key', 'v.pub', '--log-key', w.vkey, '--quorum', '2']);
  assert.equal(usage.code, 2);
});

test('log submit retries logging an existing seal and keeps the entry stable', async () => {
  const dir = await tempDir('provenant-submit-');
  await cp(sample, join(dir, 'a'), { recursive: true });
  await cli(dir, ['keygen', '--out', 'v']);
  await cli(dir, ['log', 'init', '--origin', 'example.com/log', '--dir', 'logdir']);
  const noLog = await cli(dir, ['seal', 'a', '--key', 'v.key', '--vendor', 'A', '--client', 'L', '--log', 'missing-log']);
  assert.equal(noLog.code, 2);
  assert.match(noLog.stderr, /^TLOG_LOG_NOT_FOUND/);
  const s1 = await cli(dir, ['log', 'submit', 'a.seal', '--log', 'logdir', '--json']);
  assert.equal(s1.code, 0, s1.stderr);
  const e1 = await readFile(join(dir, 'a.seal', 'log-entry.json'), 'utf8');
  const s2 = await cli(dir, ['log', 'submit', 'a.seal', '--log', 'logdir', '--json']);
  assert.equal(s2.code, 0);
  assert.equal(await readFile(join(dir, 'a.seal', 'log-entry.json'), 'utf8'), e1);
});
