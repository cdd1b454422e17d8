import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKeySigner, pae, signEnvelope, verifyEnvelope, verifySignature } from './dsse.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from './keys.js';

test('PAE matches the DSSE protocol.md example byte for byte', () => {
  // protocol.md: PAE("http://example.com/HelloWorld", "hello world")
  assert.deepEqual(pae('http://example.com/HelloWorld', Buffer.from('hello world')), Buffer.from('DSSEv1 29 http://example.com/HelloWorld 11 hello world', 'ascii'));
});

test('PAE lengths are byte lengths in ASCII decimal, and an empty body still has its separator', () => {
  assert.deepEqual(pae('é', Buffer.from('ಠ')), Buffer.concat([Buffer.from('DSSEv1 2 '), Buffer.from('é'), Buffer.from(' 3 '), Buffer.from('ಠ')]));
  assert.deepEqual(pae('', Buffer.alloc(0)), Buffer.from('DSSEv1 0  0 '));
  assert.deepEqual(pae('application/vnd.in-toto+json', Buffer.from('{}')), Buffer.from('DSSEv1 28 application/vnd.in-toto+json 2 {}'));
  const big = Buffer.alloc(1234, 0x61);
  assert.equal(pae('t', big).subarray(0, 16).toString(), 'DSSEv1 1 t 1234 ');
  assert.equal(pae('t', big).length, 16 + 1234);
});

for (const type of ['ed25519', 'p256'] as const) {
  test(`${type}: sign and verify an envelope; tampering with type, body or signature fails`, () => {
    const kp = generateKeyPair(type);
    const signer = createKeySigner(loadPrivateKey(kp.privateKey));
    assert.equal(signer.keyId, kp.keyId);
    const body = Buffer.from('{"a":1}');
    const env = signEnvelope(body, 'application/vnd.in-toto+json', signer);
    const sig = Buffer.from(env.signatures[0]?.sig ?? '', 'base64');
    const pub = loadPublicKey(kp.publicKey);
    assert.equal(verifyEnvelope('application/vnd.in-toto+json', body, [sig], pub), true);
    assert.equal(verifyEnvelope('application/json', body, [sig], pub), false);
    assert.equal(verifyEnvelope('application/vnd.in-toto+json', Buffer.from('{"a":2}'), [sig], pub), false);
    const flipped = Buffer.from(sig);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
    assert.equal(verifyEnvelope('application/vnd.in-toto+json', body, [flipped], pub), false);
    assert.equal(verifySignature(pub, body, Buffer.from('not a signature')), false);
    const other = loadPublicKey(generateKeyPair(type).publicKey);
    assert.equal(verifyEnvelope('application/vnd.in-toto+json', body, [sig], other), false);
    if (type === 'p256') assert.equal(sig[0], 0x30, 'P-256 signatures are ASN.1 DER as Sigstore uses');
    else assert.equal(sig.length, 64);
  });
}
