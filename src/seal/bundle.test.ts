import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildBundle, BUNDLE_MEDIA_TYPE, parseBundle, serializeBundle } from './bundle.js';
import { createKeySigner, IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js';
import { SealError } from './errors.js';
import { generateKeyPair, loadPrivateKey } from './keys.js';
import { DELIVERY_PREDICATE_TYPE, OMS_PREDICATE_TYPE, parseDeliveryStatement, parseInTotoStatement } from './statement.js';
import { sharedDir } from './testutil.js';

const VECTORS = join(sharedDir(), 'vectors', 'model-signing', 'test-vectors', 'v1.0');
const list = (d: string): string[] => readdirSync(join(VECTORS, d)).filter((f) => f.endsWith('.json')).sort();

const EXPECTED_INVALID: Record<string, string> = {
  'empty.bundle.json': 'SEAL_BUNDLE_JSON',
  'missing-envelope.bundle.json': 'SEAL_BUNDLE_NO_ENVELOPE',
  'missing-tlog-entries.bundle.json': 'SEAL_BUNDLE_TLOG_MISSING',
  'missing-verification-material.bundle.json': 'SEAL_BUNDLE_NO_MATERIAL',
};

test('OMS v1.0 vectors are present', () => {
  assert.ok(list('valid').length >= 3 && list('invalid').length >= 4 && list('invalid-payload').length >= 1);
});

for (const f of list('valid')) {
  test(`OMS valid/${f} parses as a v0.3 bundle and its statement reads as an OMS in-toto statement`, () => {
    const b = parseBundle(readFileSync(join(VECTORS, 'valid', f)), f);
    assert.equal(b.envelope.payloadType, IN_TOTO_PAYLOAD_TYPE);
    assert.ok(b.envelope.signatures.length >= 1);
    assert.ok(b.envelope.signatures.every((s) => s.sig.length > 0));
    const st = parseInTotoStatement(b.envelope.payload, [DELIVERY_PREDICATE_TYPE, OMS_PREDICATE_TYPE]);
    assert.equal(st.predicateType, OMS_PREDICATE_TYPE);
    // It is a valid statement, but not a Provenant delivery.
    assert.throws(() => parseDeliveryStatement(b.envelope.payload), { code: 'SEAL_PREDICATE_TYPE' });
  });
}

test('OMS valid vectors cover the three kinds of verification material', () => {
  const kinds = list('valid').map((f) => parseBundle(readFileSync(join(VECTORS, 'valid', f))).material.kind).sort();
  assert.deepEqual(kinds, ['certificate', 'publicKey', 'x509CertificateChain']);
  const sig = parseBundle(readFileSync(join(VECTORS, 'valid', 'sigstore.bundle.json')));
  assert.equal(sig.tlogEntries.length, 1);
  assert.equal(sig.tlogEntries[0]?.['logIndex'], '598151086');
});

for (const f of list('invalid')) {
  test(`OMS invalid/${f} is rejected with a coded error`, () => {
    let err: unknown;
    try {
      parseBundle(readFileSync(join(VECTORS, 'invalid', f)), f);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof SealError, `${f} must be rejected with a SealError`);
    assert.equal(err.kind, 'verification');
    const want = EXPECTED_INVALID[f];
    if (want) assert.equal(err.code, want);
  });
}

for (const f of list('invalid-payload')) {
  test(`OMS invalid-payload/${f} parses as a bundle but its statement is rejected`, () => {
    const b = parseBundle(readFileSync(join(VECTORS, 'invalid-payload', f)), f);
    assert.throws(() => parseInTotoStatement(b.envelope.payload, [DELIVERY_PREDICATE_TYPE, OMS_PREDICATE_TYPE]), { code: 'SEAL_PREDICATE_TYPE' });
  });
}

function ours(): Record<string, unknown> {
  const kp = generateKeyPair();
  const signer = createKeySigner(loadPrivateKey(kp.privateKey));
  return buildBundle(signEnvelope(Buffer.from('{"x":1}'), IN_TOTO_PAYLOAD_TYPE, signer), signer.keyId);
}

test('our bundle round-trips: media type, key hint, empty tlogEntries, DSSE fields', () => {
  const b = ours();
  const text = serializeBundle(b);
  const p = parseBundle(text);
  assert.equal(p.mediaType, BUNDLE_MEDIA_TYPE);
  assert.equal(p.material.kind, 'publicKey');
  assert.deepEqual(p.tlogEntries, []);
  assert.deepEqual(p.envelope.payload, Buffer.from('{"x":1}'));
  const raw = JSON.parse(text) as { verificationMaterial: { publicKey: { hint: string } }; dsseEnvelope: { signatures: { keyid: string }[] } };
  assert.equal(raw.verificationMaterial.publicKey.hint, raw.dsseEnvelope.signatures[0]?.keyid);
  assert.match(raw.verificationMaterial.publicKey.hint, /^[0-9a-f]{64}$/);
});

const mutate = (f: (b: Record<string, unknown>) => void): string => {
  const b = JSON.parse(JSON.stringify(ours())) as Record<string, unknown>;
  f(b);
  return JSON.stringify(b);
};
const env = (b: Record<string, unknown>): Record<string, unknown> => b['dsseEnvelope'] as Record<string, unknown>;

const BAD: [string, string, string][] = [
  ['wrong media type', mutate((b) => (b['mediaType'] = 'application/vnd.dev.sigstore.bundle.v0.2+json')), 'SEAL_BUNDLE_MEDIA_TYPE'],
  ['missing media type', mutate((b) => delete b['mediaType']), 'SEAL_BUNDLE_MEDIA_TYPE'],
  ['duplicate key', '{"mediaType":"a","mediaType":"b"}', 'SEAL_BUNDLE_DUPLICATE_KEY'],
  ['truncated JSON', serializeBundle(ours()).slice(0, 100), 'SEAL_BUNDLE_JSON'],
  ['not an object', '[1,2]', 'SEAL_BUNDLE_SHAPE'],
  ['unknown top-level field', mutate((b) => (b['extra'] = 1)), 'SEAL_BUNDLE_SHAPE'],
  ['payload not base64', mutate((b) => (env(b)['payload'] = 'not base64!')), 'SEAL_BUNDLE_BASE64'],
  ['signature not base64', mutate((b) => (env(b)['signatures'] = [{ sig: '%%%' }])), 'SEAL_BUNDLE_BASE64'],
  ['empty signature list', mutate((b) => (env(b)['signatures'] = [])), 'SEAL_DSSE_NO_SIGNATURES'],
  ['a second (junk) signature appended', mutate((b) => (env(b)['signatures'] = [...(env(b)['signatures'] as unknown[]), { sig: 'AAAA' }])), 'SEAL_DSSE_SIGNATURE_COUNT'],
  ['empty signature', mutate((b) => (env(b)['signatures'] = [{ sig: '' }])), 'SEAL_BUNDLE_SHAPE'],
  ['payloadType not a string', mutate((b) => (env(b)['payloadType'] = 5)), 'SEAL_BUNDLE_SHAPE'],
  ['message signature instead of DSSE', mutate((b) => {
    delete b['dsseEnvelope'];
    b['messageSignature'] = { signature: 'AA==' };
  }), 'SEAL_BUNDLE_NO_ENVELOPE'],
  ['two kinds of key material', mutate((b) => ((b['verificationMaterial'] as Record<string, unknown>)['certificate'] = { rawBytes: 'AA==' })), 'SEAL_BUNDLE_SHAPE'],
  ['tlogEntries not an array', mutate((b) => ((b['verificationMaterial'] as Record<string, unknown>)['tlogEntries'] = {})), 'SEAL_BUNDLE_SHAPE'],
  ['bad log index', mutate((b) => ((b['verificationMaterial'] as Record<string, unknown>)['tlogEntries'] = [{ logIndex: '-1' }])), 'SEAL_BUNDLE_SHAPE'],
];

for (const [name, text, code] of BAD) {
  test(`bundle rejected: ${name} → ${code}`, () => {
    assert.throws(() => parseBundle(text), (e: unknown) => e instanceof SealError && e.code === code && e.kind === 'verification');
  });
}

test('a bundle with several problems lists every one with its JSON path', () => {
  const text = mutate((b) => {
    b['mediaType'] = 'x';
    b['junk'] = true;
    env(b)['payload'] = '!!';
  });
  try {
    parseBundle(text);
    assert.fail('must throw');
  } catch (e) {
    assert.ok(e instanceof SealError);
    assert.equal(e.code, 'SEAL_BUNDLE_MEDIA_TYPE');
    const issues = (e.details?.['issues'] ?? []) as { path: string }[];
    assert.deepEqual(issues.map((i) => i.path).sort(), ['$.dsseEnvelope.payload', '$.junk', '$.mediaType']);
  }
});
