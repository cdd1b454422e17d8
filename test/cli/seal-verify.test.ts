import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, tempDir } from './helpers.js';
import { COMMAND_ENTRIES, loadAllCommands } from '../../src/cli/commands/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const sample = join(repo, 'examples', 'data', 'acme-2026-11');

async function sealedSample(): Promise<string> {
  const dir = await tempDir();
  await cp(sample, join(dir, 'd'), { recursive: true });
  assert.equal((await cli(dir, ['keygen', '--out', 'v'])).code, 0);
  const r = await cli(dir, ['seal', 'd', '--key', 'v.key', '--vendor', 'Acme', '--client', 'Lab', '--delivery-id', 'acme-001', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

test('keygen writes a 0600 private key and refuses to overwrite it', async () => {
  const dir = await tempDir();
  const r = await cli(dir, ['keygen', '--out', 'k', '--type', 'p256', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { keyId: string; type: string };
  assert.match(out.keyId, /^[0-9a-f]{64}$/);
  assert.equal(out.type, 'p256');
  assert.equal((await stat(join(dir, 'k.key'))).mode & 0o777, 0o600);
  const again = await cli(dir, ['keygen', '--out', 'k']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^SEAL_KEY_EXISTS: /);
  assert.equal((await cli(dir, ['keygen', '--out', 'k2', '--type', 'rsa'])).code, 2);
});

test('seal then verify succeeds with --json ok:true and exit 0', async () => {
  const dir = await sealedSample();
  const r = await cli(dir, ['verify', 'd', '--seal', 'd.seal', '--key', 'v.pub', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { ok: boolean; diff: Record<string, unknown[]> };
  assert.equal(out.ok, true);
  assert.deepEqual([out.diff['modified'], out.diff['inserted'], out.diff['deleted']], [[], [], []]);
});

test('verify names modified, inserted and deleted records with exit 1', async () => {
  const dir = await sealedSample();
  const jsonl = join(dir, 'd', 'math-instructions.jsonl');
  const lines = (await readFile(jsonl, 'utf8')).split('\n');
  lines[10] = JSON.stringify({ question: 'changed', answer: 'changed' });
  lines.splice(200, 0, JSON.stringify({ question: 'planted', answer: 'planted' }));
  await writeFile(jsonl, lines.join('\n'));
  const csv = join(dir, 'd', 'sentiment-labels.csv');
  const rows = (await readFile(csv, 'utf8')).split('\n');
  rows.splice(5, 1); // data row 5 → record index 4
  await writeFile(csv, rows.join('\n'));
  const r = await cli(dir, ['verify', 'd', '--seal', 'd.seal', '--key', 'v.pub', '--json']);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as { ok: boolean; diff: { modified: object[]; inserted: object[]; deleted: object[] } };
  assert.equal(out.ok, false);
  const pick = (xs: object[]): unknown[] => xs.map((x) => { const { file, index } = x as { file: string; index: number }; return { file, index }; });
  assert.deepEqual(pick(out.diff.modified), [{ file: 'math-instructions.jsonl', index: 10 }]);
  assert.deepEqual(pick(out.diff.inserted), [{ file: 'math-instructions.jsonl', index: 200 }]);
  assert.deepEqual(pick(out.diff.deleted), [{ file: 'sentiment-labels.csv', index: 4 }]);
  const human = await cli(dir, ['verify', 'd', '--seal', 'd.seal', '--key', 'v.pub']);
  assert.equal(human.code, 1);
  assert.match(human.stdout, /math-instructions\.jsonl:11 \(record 10\)/);
  assert.match(human.stdout, /sentiment-labels\.csv row 5 \(record 4\)/);
});

test('verify with another vendor key fails with exit 1', async () => {
  const dir = await sealedSample();
  await cli(dir, ['keygen', '--out', 'other']);
  const r = await cli(dir, ['verify', 'd', '--seal', 'd.seal', '--key', 'other.pub', '--json']);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as { errors: { code: string }[] };
  assert.equal(out.errors[0]?.code, 'SEAL_WRONG_KEY');
});

test('a malformed record makes seal exit 2 with a one-line coded error naming file and line, and writes no seal', async () => {
  const dir = await tempDir();
  await cli(dir, ['keygen', '--out', 'v']);
  await writeFile(join(dir, 'bad.jsonl'), '{"a":1}\n{"a":2}\n{"a":3,"a":4}\n');
  const r = await cli(dir, ['seal', 'bad.jsonl', '--key', 'v.key', '--vendor', 'A', '--client', 'B']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^RECORD_JSON_DUPLICATE_KEY: .*bad\.jsonl:3/);
  await assert.rejects(stat(join(dir, 'bad.jsonl.seal')));
  const j = await cli(dir, ['seal', 'bad.jsonl', '--key', 'v.key', '--vendor', 'A', '--client', 'B', '--json']);
  assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, 'RECORD_JSON_DUPLICATE_KEY');
});

test('prove and verify-record: the right record is proven, a changed one is not', async () => {
  const dir = await sealedSample();
  const p = await cli(dir, ['prove', 'd', '--seal', 'd.seal', '--file', 'sentiment-labels.csv', '--index', '3', '--out', 'p.json']);
  assert.equal(p.code, 0, p.stderr);
  const proof = JSON.parse(await readFile(join(dir, 'p.json'), 'utf8')) as { recordDigest: string; row: number };
  assert.equal(proof.row, 4);
  const ok = await cli(dir, ['verify-record', '--proof', 'p.json', '--seal', 'd.seal', '--key', 'v.pub', '--digest', proof.recordDigest]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const bad = await cli(dir, ['verify-record', '--proof', 'p.json', '--seal', 'd.seal', '--key', 'v.pub', '--record-json', '{"sentence":"forged","label":"1"}']);
  assert.equal(bad.code, 1);
  const usage = await cli(dir, ['prove', 'd', '--seal', 'd.seal', '--file', 'x', '--index', '-1']);
  assert.equal(usage.code, 2);
});

test('every command has --help and unknown commands or flags exit 2', async () => {
  const dir = await tempDir();
  for (const c of await loadAllCommands()) {
    const r = await cli(dir, [...c.name.split(' '), '--help']);
    assert.equal(r.code, 0, c.name);
    assert.match(r.stdout, new RegExp(`Usage: provenant ${c.name}`));
    assert.match(r.stdout, /--json/);
  }
  assert.equal((await cli(dir, ['frobnicate'])).code, 2);
  const r = await cli(dir, ['verify', 'x', '--sael', 'y']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^CLI_USAGE: /);
});

test('package.json version matches the version recorded in statements', async () => {
  const pkg = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { version: string };
  const { VERSION } = await import('../../src/core/index.js');
  assert.equal(VERSION, pkg.version);
});

test('the registry lists every command file with the summary the command itself declares', async () => {
  const cmds = await loadAllCommands();
  assert.deepEqual(
    COMMAND_ENTRIES.map((e) => [e.name, e.summary]),
    cmds.map((c) => [c.name, c.summary]),
  );
});
