import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createScanPool, type ScanPool } from '../records/index.js';
import { generateKeyPair, type PemKeyPair } from './keys.js';
import { proveRecord, verifyInclusionProof, verifyRecordProof, type RecordProof } from './prove.js';
import { sealDelivery } from './seal.js';
import { sharedDir } from './testutil.js';

interface InclusionVector {
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  root: string;
  proof: string[];
}
const vectors = JSON.parse(readFileSync(join(sharedDir(), 'vectors', 'tlog-vectors.json'), 'utf8')) as { inclusionAllTree8: { vectors: InclusionVector[] } };
const hx = (s: string): Buffer => Buffer.from(s, 'hex');

test('RFC 9162 inclusion verifier accepts every tree-8 vector and rejects each mutation', () => {
  const vs = vectors.inclusionAllTree8.vectors;
  assert.ok(vs.length >= 36);
  for (const v of vs) {
    const proof = v.proof.map(hx);
    assert.equal(verifyInclusionProof(hx(v.leafHash), v.leafIndex, v.treeSize, proof, hx(v.root)), true, `${v.leafIndex}/${v.treeSize}`);
    // (A wrong tree size can still verify for the same root; the size is bound by the signed counts instead.)
    const leaf = hx(v.leafHash);
    leaf[31] = (leaf[31] as number) ^ 1;
    assert.equal(verifyInclusionProof(leaf, v.leafIndex, v.treeSize, proof, hx(v.root)), false);
    assert.equal(verifyInclusionProof(hx(v.leafHash), v.treeSize, v.treeSize, proof, hx(v.root)), false);
    assert.equal(verifyInclusionProof(hx(v.leafHash), v.leafIndex, v.treeSize, [...proof, hx(v.root)], hx(v.root)), false);
    if (proof.length > 0) {
      assert.equal(verifyInclusionProof(hx(v.leafHash), v.leafIndex, v.treeSize, proof.slice(1), hx(v.root)), false);
      const flipped = proof.map((p) => Buffer.from(p));
      (flipped[0] as Buffer)[0] = ((flipped[0] as Buffer)[0] as number) ^ 1;
      assert.equal(verifyInclusionProof(hx(v.leafHash), v.leafIndex, v.treeSize, flipped, hx(v.root)), false);
    }
  }
  assert.equal(verifyInclusionProof(Buffer.alloc(32), 0, 0, [], Buffer.alloc(32)), false);
  assert.equal(verifyInclusionProof(Buffer.alloc(32), -1, 1, [], Buffer.alloc(32)), false);
});

let work: string;
let dir: string;
let seal: string;
let key: PemKeyPair;
let pool: ScanPool;
let bundle: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'pv-prove-'));
  key = generateKeyPair();
  pool = createScanPool(2);
  dir = join(work, 'delivery');
  await mkdir(join(dir, 'sub'), { recursive: true });
  await writeFile(join(dir, 'a.jsonl'), Array.from({ length: 7 }, (_, i) => JSON.stringify({ i })).join('\n') + '\n');
  await writeFile(join(dir, 'sub', 'b.csv'), 'k,v\nx,1\ny,2\nz,3\n');
  seal = (await sealDelivery({ path: dir, key: key.privateKey, vendor: 'Acme', client: 'Lab', pool })).out;
  bundle = await readFile(join(seal, 'bundle.sigstore.json'), 'utf8');
});
after(async () => {
  await pool.close();
  await rm(work, { recursive: true, force: true });
});

test('every record of the delivery gets a proof that verifies against the signed recordRoot', async () => {
  const records: [string, number, unknown][] = [
    ...Array.from({ length: 7 }, (_, i) => ['a.jsonl', i, { i }] as [string, number, unknown]),
    ['sub/b.csv', 0, { k: 'x', v: '1' }],
    ['sub/b.csv', 2, { k: 'z', v: '3' }],
  ];
  for (const [file, index, value] of records) {
    const p = await proveRecord({ path: dir, seal, file, index, key: key.publicKey });
    assert.equal(p.treeSize, 10);
    assert.equal(p.leafIndex, file === 'a.jsonl' ? index : 7 + index);
    const r = verifyRecordProof({ record: value, proof: JSON.parse(JSON.stringify(p)), bundle, key: key.publicKey });
    assert.deepEqual(r.errors, [], `${file}#${index}`);
    assert.equal(r.ok, true);
  }
  const p = await proveRecord({ path: dir, seal, file: 'sub/b.csv', index: 1 });
  assert.equal(p.row, 2);
});

test('proofs fail for another record, another key, a forged position, an edited path or root', async () => {
  const p = await proveRecord({ path: dir, seal, file: 'a.jsonl', index: 3 });
  const ok = (over: Partial<RecordProof>, record: unknown = { i: 3 }, k = key.publicKey): string | undefined =>
    verifyRecordProof({ record, proof: { ...p, ...over }, bundle, key: k }).errors[0]?.code;
  assert.equal(ok({}), undefined);
  assert.equal(ok({}, { i: 4 }), 'SEAL_PROOF_RECORD_MISMATCH');
  assert.equal(ok({}, { i: 3 }, generateKeyPair().publicKey), 'SEAL_WRONG_KEY');
  assert.equal(ok({ index: 4, leafIndex: 4 }), 'SEAL_PROOF_INVALID');
  assert.equal(ok({ leafIndex: 4 }), 'SEAL_PROOF_INDEX');
  assert.equal(ok({ file: 'sub/b.csv' }), 'SEAL_PROOF_INDEX');
  assert.equal(ok({ treeSize: 11 }), 'SEAL_PROOF_INDEX');
  assert.equal(ok({ recordRoot: 'f'.repeat(64) }), 'SEAL_PROOF_ROOT_MISMATCH');
  assert.equal(ok({ proof: [...p.proof].reverse() }), 'SEAL_PROOF_INVALID');
  assert.equal(ok({ proof: p.proof.slice(1) }), 'SEAL_PROOF_INVALID');
  assert.equal(ok({ proof: ['zz'] }), 'SEAL_PROOF_INVALID');
  assert.equal(verifyRecordProof({ record: { i: 3 }, proof: 'nope', bundle, key: key.publicKey }).errors[0]?.code, 'SEAL_PROOF_INVALID');
  const bad = bundle.replace('"payloadType": "application/vnd.in-toto+json"', '"payloadType": "text/plain"');
  assert.equal(verifyRecordProof({ record: { i: 3 }, proof: p, bundle: bad, key: key.publicKey }).errors[0]?.code, 'SEAL_DSSE_PAYLOAD_TYPE');
});

test('no proof is issued for an index out of range, an unknown file or a changed record', async () => {
  await assert.rejects(proveRecord({ path: dir, seal, file: 'a.jsonl', index: 7 }), { code: 'SEAL_PROOF_INDEX' });
  await assert.rejects(proveRecord({ path: dir, seal, file: 'zzz.jsonl', index: 0 }), { code: 'SEAL_PROOF_INDEX' });
  await assert.rejects(proveRecord({ path: dir, seal, file: 'a.jsonl', index: -1 }), { code: 'SEAL_PROOF_INDEX' });
  const copy = join(work, 'changed');
  await mkdir(join(copy, 'sub'), { recursive: true });
  await writeFile(join(copy, 'a.jsonl'), '{"i":0}\n{"i":"evil"}\n');
  await writeFile(join(copy, 'sub', 'b.csv'), 'k,v\nx,1\n');
  await assert.rejects(proveRecord({ path: copy, seal, file: 'a.jsonl', index: 1 }), { code: 'SEAL_PROOF_RECORD_CHANGED' });
  await assert.rejects(proveRecord({ path: copy, seal, file: 'a.jsonl', index: 5 }), { code: 'SEAL_PROOF_RECORD_CHANGED' });
  assert.equal((await proveRecord({ path: copy, seal, file: 'a.jsonl', index: 0 })).leafIndex, 0);
});
