import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createScanPool, recordDigest, type ScanPool } from '../records/index.js';
import { parseBundle } from './bundle.js';
import { generateKeyPair, type PemKeyPair } from './keys.js';
import { deriveDeliveryId, sealDelivery } from './seal.js';
import { parseSidecar } from './sidecar.js';
import { parseDeliveryStatement } from './statement.js';
import { verifyDelivery } from './verify.js';

let work: string;
let key: PemKeyPair;
let pool: ScanPool;
let n = 0;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'pv-seal-'));
  key = generateKeyPair('p256');
  pool = createScanPool(2);
});
after(async () => {
  await pool.close();
  await rm(work, { recursive: true, force: true });
});

async function delivery(files: Record<string, string>): Promise<string> {
  const dir = join(work, `d${++n}`, 'delivery');
  for (const [p, text] of Object.entries(files)) {
    await mkdir(join(dir, p, '..'), { recursive: true });
    await writeFile(join(dir, p), text);
  }
  return dir;
}

const base = { vendor: 'Acme Data, Inc.', client: 'Lab' };

test('seal writes a bundle and sidecar whose statement describes the delivery in bytewise path order', async () => {
  const dir = await delivery({ 'b.jsonl': '{"x":2}\n', 'a-c.csv': 'k,v\n1,2\n', 'a/b.jsonl': '{"x":1}\n{"x":3}\n' });
  const s = await sealDelivery({ path: dir, key: key.privateKey, ...base, pool, now: new Date('2026-03-04T05:06:07Z'), meta: '{"licenses":["CC-BY-4.0"],"annotators":[{"id":"ann-7","records":4}]}' });
  assert.equal(s.out, `${dir}.seal`);
  assert.deepEqual((await readdir(s.out)).sort(), ['bundle.sigstore.json', 'records.sidecar']);
  const b = parseBundle(await readFile(s.bundlePath));
  assert.equal(b.material.kind === 'publicKey' && b.material.hint, key.keyId);
  const st = parseDeliveryStatement(b.envelope.payload);
  const pr = st.predicate;
  assert.deepEqual(pr.files.map((f) => f.path), ['a-c.csv', 'a/b.jsonl', 'b.jsonl']);
  assert.deepEqual(pr.counts, { files: 3, records: 4, bytes: 8 + 16 + 8 });
  assert.equal(pr.deliveryId, s.deliveryId);
  assert.equal(s.deliveryId, `acme-data-inc-20260304-${s.recordRoot.slice(0, 12)}`);
  assert.deepEqual(pr.licenses, ['CC-BY-4.0']);
  assert.deepEqual(pr.annotators, [{ id: 'ann-7', records: 4 }]);
  assert.equal(pr.sealedAt, '2026-03-04T05:06:07.000Z');
  assert.equal(pr.tool.name, 'provenant');
  assert.equal(s.keyId, key.keyId);
  // Sidecar digests are the record digests in delivery order.
  const sc = parseSidecar(await readFile(s.sidecarPath));
  assert.deepEqual(sc.files[1]?.digests.subarray(32, 64), recordDigest({ x: 3 }));
  assert.deepEqual(sc.files[0]?.digests.subarray(0, 32), recordDigest({ k: '1', v: '2' }));
  assert.equal(sc.deliveryId, s.deliveryId);
  assert.equal((await verifyDelivery({ path: dir, seal: s.out, key: key.publicKey, pool })).ok, true);
});

test('a single file can be sealed and verified; its subject is the file name', async () => {
  const dir = await delivery({ 'train.jsonl': '{"q":1}\n{"q":2}\n' });
  const file = join(dir, 'train.jsonl');
  const s = await sealDelivery({ path: file, key: key.privateKey, ...base, deliveryId: 'acme-42', pool });
  assert.equal(s.out, `${file}.seal`);
  const st = parseDeliveryStatement(parseBundle(await readFile(s.bundlePath)).envelope.payload);
  assert.deepEqual(st.subject.map((x) => x.name), ['train.jsonl']);
  assert.equal(st.predicate.deliveryId, 'acme-42');
  assert.equal((await verifyDelivery({ path: file, seal: s.out, key: key.publicKey, pool })).ok, true);
});

test('exclude patterns are recorded in the statement, listed in the summary and applied by verify', async () => {
  const dir = await delivery({ 'a.jsonl': '{"a":1}\n', 'notes/readme.md': '# hi', 'tmp/x.bin': 'x', 'sub/.DS_Store': 'x' });
  const s = await sealDelivery({ path: dir, key: key.privateKey, ...base, exclude: ['notes/*.md', 'tmp', '.DS_Store'], pool });
  assert.deepEqual(s.excluded, ['notes/readme.md', 'sub/.DS_Store', 'tmp/']);
  const st = parseDeliveryStatement(parseBundle(await readFile(s.bundlePath)).envelope.payload);
  assert.deepEqual(st.predicate.exclude, ['notes/*.md', 'tmp', '.DS_Store']);
  assert.deepEqual(st.predicate.files.map((f) => f.path), ['a.jsonl']);
  await writeFile(join(dir, 'tmp', 'y.bin'), 'new');
  assert.equal((await verifyDelivery({ path: dir, seal: s.out, key: key.publicKey, pool })).ok, true);
});

test('without --exclude, a file of unknown format stops the seal instead of being skipped', async () => {
  const dir = await delivery({ 'a.jsonl': '{"a":1}\n', 'readme.md': '# hi' });
  await assert.rejects(sealDelivery({ path: dir, key: key.privateKey, ...base, pool }), { code: 'RECORD_FORMAT_UNKNOWN' });
  await assert.rejects(stat(`${dir}.seal`), { code: 'ENOENT' });
  assert.deepEqual((await readdir(join(dir, '..'))).filter((f) => f.includes('.tmp-')), [], 'no temp directory left behind');
});

test('symlinks, FIFOs, bad names and empty deliveries are refused with coded errors; nothing is written', async () => {
  const dir = await delivery({ 'a.jsonl': '{"a":1}\n' });
  await symlink('/etc/hostname', join(dir, 'link.jsonl'));
  await assert.rejects(sealDelivery({ path: dir, key: key.privateKey, ...base, pool }), { code: 'SEAL_PATH_SYMLINK' });
  const dir2 = await delivery({ 'a.jsonl': '{"a":1}\n' });
  execFileSync('mkfifo', [join(dir2, 'p.jsonl')]);
  await assert.rejects(sealDelivery({ path: dir2, key: key.privateKey, ...base, pool }), { code: 'SEAL_PATH_SPECIAL' });
  const dir3 = await delivery({ 'a\\b.jsonl': '{"a":1}\n' });
  await assert.rejects(sealDelivery({ path: dir3, key: key.privateKey, ...base, pool }), { code: 'SEAL_PATH_NAME' });
  const dir4 = join(work, 'empty');
  await mkdir(dir4);
  await assert.rejects(sealDelivery({ path: dir4, key: key.privateKey, ...base, pool }), { code: 'SEAL_EMPTY_DELIVERY' });
  await assert.rejects(sealDelivery({ path: join(work, 'nope'), key: key.privateKey, ...base, pool }), { code: 'SEAL_INPUT_MISSING' });
  for (const d of [dir, dir2, dir3]) await assert.rejects(stat(`${d}.seal`), { code: 'ENOENT' });
});

test('an existing seal is not overwritten unless forced; the output cannot be inside the delivery', async () => {
  const dir = await delivery({ 'a.jsonl': '{"a":1}\n' });
  const s1 = await sealDelivery({ path: dir, key: key.privateKey, ...base, pool });
  const before1 = await readFile(s1.bundlePath, 'utf8');
  await assert.rejects(sealDelivery({ path: dir, key: key.privateKey, ...base, pool }), { code: 'SEAL_OUT_EXISTS' });
  assert.equal(await readFile(s1.bundlePath, 'utf8'), before1);
  await writeFile(join(dir, 'a.jsonl'), '{"a":2}\n');
  const s2 = await sealDelivery({ path: dir, key: key.privateKey, ...base, pool, force: true });
  assert.notEqual(await readFile(s2.bundlePath, 'utf8'), before1);
  assert.equal((await verifyDelivery({ path: dir, seal: s2.out, key: key.publicKey, pool })).ok, true);
  await assert.rejects(sealDelivery({ path: dir, key: key.privateKey, ...base, pool, out: join(dir, 'seal') }), { code: 'SEAL_OUT_INSIDE_DELIVERY' });
});

test('a failure while sealing leaves no seal and no temp directory behind', async () => {
  const dir = await delivery({ 'a.jsonl': '{"a":1}\n', 'b.jsonl': '{"b":1}\n{"b": oops}\n' });
  await assert.rejects(sealDelivery({ path: dir, key: key.privateKey, ...base, pool }), (e: unknown) => (e as { location?: { file?: string; line?: number } }).location?.line === 2);
  assert.deepEqual((await readdir(join(dir, '..'))).sort(), ['delivery']);
});

test('bad options are coded input errors', async () => {
  const dir = await delivery({ 'a.jsonl': '{"a":1}\n' });
  await assert.rejects(sealDelivery({ path: dir, key: key.privateKey, vendor: '', client: 'x', pool }), { code: 'SEAL_OPTION_INVALID' });
  await assert.rejects(sealDelivery({ path: dir, key: key.privateKey, ...base, deliveryId: '../x', pool }), { code: 'SEAL_OPTION_INVALID' });
  await assert.rejects(sealDelivery({ path: dir, key: key.publicKey, ...base, pool }), { code: 'SEAL_KEY_WRONG_TYPE' });
  await assert.rejects(sealDelivery({ path: dir, key: key.privateKey, ...base, meta: '{"licence":"MIT"}', pool }), { code: 'SEAL_META_INVALID' });
  await assert.rejects(sealDelivery({ path: dir, key: key.privateKey, ...base, exclude: ['/abs'], pool }), { code: 'SEAL_OPTION_INVALID' });
  await assert.rejects(stat(`${dir}.seal`), { code: 'ENOENT' });
});

test('verify: unusable inputs throw input errors (exit 2), not verification results', async () => {
  const dir = await delivery({ 'a.jsonl': '{"a":1}\n' });
  const s = await sealDelivery({ path: dir, key: key.privateKey, ...base, pool });
  await assert.rejects(verifyDelivery({ path: dir, seal: join(work, 'missing'), key: key.publicKey, pool }), { code: 'SEAL_INPUT_MISSING', kind: 'input' });
  await assert.rejects(verifyDelivery({ path: dir, seal: s.out, key: key.privateKey, pool }), { code: 'SEAL_KEY_WRONG_TYPE', kind: 'input' });
  await assert.rejects(verifyDelivery({ path: dir, seal: s.out, key: 'garbage', pool }), { code: 'SEAL_KEY_GARBAGE' });
  await rm(s.bundlePath);
  await assert.rejects(verifyDelivery({ path: dir, seal: s.out, key: key.publicKey, pool }), { code: 'SEAL_INPUT_MISSING' });
});

test('deriveDeliveryId: vendor slug, UTC date, 12 hex of recordRoot', () => {
  assert.equal(deriveDeliveryId('Acme Data, Inc.', new Date('2026-12-31T23:59:59Z'), 'ab'.repeat(32)), 'acme-data-inc-20261231-abababababab');
  assert.equal(deriveDeliveryId('数据', new Date('2026-01-01T00:00:00Z'), '0'.repeat(64)), 'delivery-20260101-000000000000');
});
