import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sha256Hex } from '../core/index.js';
import { generateKeyPair, keyIdOf, loadPrivateKey, loadPublicKey, readKeyFile, writeKeyPair } from './keys.js';

test('generateKeyPair makes PKCS#8 / SPKI PEM for both algorithms; key id is SHA-256 of SPKI DER', () => {
  for (const type of ['ed25519', 'p256'] as const) {
    const kp = generateKeyPair(type);
    assert.match(kp.privateKey, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(kp.publicKey, /^-----BEGIN PUBLIC KEY-----\n/);
    const pub = loadPublicKey(kp.publicKey);
    const der = pub.export({ type: 'spki', format: 'der' });
    assert.equal(kp.keyId, sha256Hex(der));
    assert.equal(keyIdOf(loadPrivateKey(kp.privateKey)), kp.keyId);
  }
});

test('writeKeyPair writes PREFIX.key with mode 0600 and refuses to overwrite unless forced', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pv-keys-'));
  try {
    const prefix = join(dir, 'vendor');
    const r = await writeKeyPair(prefix);
    assert.equal((await stat(r.keyPath)).mode & 0o777, 0o600);
    const pub1 = await readFile(r.pubPath, 'utf8');
    await assert.rejects(writeKeyPair(prefix), { code: 'SEAL_KEY_EXISTS' });
    assert.equal(await readFile(r.pubPath, 'utf8'), pub1, 'a refused keygen must not touch the existing key');
    const r2 = await writeKeyPair(prefix, { force: true, type: 'p256' });
    assert.equal((await stat(r2.keyPath)).mode & 0o777, 0o600);
    assert.notEqual(await readFile(r2.pubPath, 'utf8'), pub1);
    await assert.rejects(readKeyFile(join(dir, 'nope.pub')), { code: 'SEAL_KEY_UNREADABLE' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loading keys fails with distinct codes for wrong type, encrypted, garbage and unsupported algorithms', () => {
  const kp = generateKeyPair();
  assert.throws(() => loadPublicKey(kp.privateKey), { code: 'SEAL_KEY_WRONG_TYPE' });
  assert.throws(() => loadPrivateKey(kp.publicKey), { code: 'SEAL_KEY_WRONG_TYPE' });
  assert.throws(() => loadPublicKey('hello'), { code: 'SEAL_KEY_GARBAGE' });
  assert.throws(() => loadPrivateKey(''), { code: 'SEAL_KEY_GARBAGE' });
  assert.throws(() => loadPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), { code: 'SEAL_KEY_GARBAGE' });
  const { privateKey } = generateKeyPairSync('ed25519');
  const enc = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
  assert.throws(() => loadPrivateKey(enc), { code: 'SEAL_KEY_ENCRYPTED' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  assert.throws(() => loadPublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' })), { code: 'SEAL_KEY_ALGORITHM' });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  assert.throws(() => loadPrivateKey(p384.privateKey.export({ type: 'pkcs8', format: 'pem' })), { code: 'SEAL_KEY_ALGORITHM' });
  // A public key derived from the private one parses back.
  assert.equal(keyIdOf(createPublicKey(loadPrivateKey(kp.privateKey))), kp.keyId);
});

test('a key file with extra whitespace still loads; a truncated one does not', async () => {
  const kp = generateKeyPair('p256');
  assert.equal(keyIdOf(loadPublicKey(`\n${kp.publicKey}\n\n`)), kp.keyId);
  const cut = kp.publicKey.slice(0, kp.publicKey.length - 40);
  assert.throws(() => loadPublicKey(cut), { code: 'SEAL_KEY_GARBAGE' });
  const dir = await mkdtemp(join(tmpdir(), 'pv-keys-'));
  await writeFile(join(dir, 'x.pub'), kp.publicKey);
  assert.equal(keyIdOf(loadPublicKey(await readKeyFile(join(dir, 'x.pub')))), kp.keyId);
  await rm(dir, { recursive: true, force: true });
});
