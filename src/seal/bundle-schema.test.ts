/**
 * Our bundle is a standard Sigstore bundle v0.3: it validates against the OpenSSF model-signing
 * bundle and DSSE envelope JSON schemas (../shared/vectors/model-signing/schemas/v1.0), which check
 * the Sigstore-owned structure; a broken bundle fails them, so the check can fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { BUNDLE_NAME, generateKeyPair, sealDelivery } from './index.js';
import { sharedPath } from '../core/index.js';

const schemas = sharedPath('vectors', 'model-signing', 'schemas', 'v1.0');

async function validator(): Promise<(doc: unknown) => string[]> {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addSchema(JSON.parse(await readFile(join(schemas, 'envelope.schema.json'), 'utf8')) as object);
  const validate = ajv.compile(JSON.parse(await readFile(join(schemas, 'bundle.schema.json'), 'utf8')) as object);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

test('a sealed bundle validates against the Sigstore bundle and DSSE envelope schemas', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bundle-schema-'));
  await writeFile(join(dir, 'd.jsonl'), '{"q":"a","r":"b"}\n{"q":"c","r":"d"}\n');
  for (const type of ['ed25519', 'p256'] as const) {
    const keys = generateKeyPair(type);
    const s = await sealDelivery({ path: join(dir, 'd.jsonl'), key: keys.privateKey, vendor: 'V', client: 'C', out: join(dir, `seal-${type}`) });
    const bundle = JSON.parse(await readFile(join(s.out, BUNDLE_NAME), 'utf8')) as Record<string, unknown>;
    const check = await validator();
    assert.deepEqual(check(bundle), [], type);
    assert.equal(bundle['mediaType'], 'application/vnd.dev.sigstore.bundle.v0.3+json');
    // The schema check is not vacuous: a bundle without its envelope, with another payloadType, or
    // with an empty signature list fails it.
    const { dsseEnvelope, ...rest } = bundle;
    const env = dsseEnvelope as Record<string, unknown>;
    assert.notDeepEqual(check(rest), []);
    assert.notDeepEqual(check({ ...bundle, dsseEnvelope: { ...env, payloadType: 'application/json' } }), []);
    assert.notDeepEqual(check({ ...bundle, dsseEnvelope: { ...env, signatures: [] } }), []);
  }
});
