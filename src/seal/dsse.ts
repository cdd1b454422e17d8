/**
 * DSSE v1 (secure-systems-lab/dsse, protocol.md): signatures are over the Pre-Authentication
 * Encoding PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the
 * ASCII decimal byte length without leading zeros and SP is one 0x20 byte. Signing the PAE rather
 * than the payload binds the payloadType, so a payload cannot be replayed under another type.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { keyIdOf, keyTypeOf } from './keys.js';

/** in-toto's DSSE payload type (in-toto attestation framework, envelope.md). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface DsseSignature {
  /** Standard base64 of the raw signature bytes. */
  readonly sig: string;
  readonly keyid?: string;
}

/** The DSSE JSON envelope (envelope.md). `payload` is standard base64. */
export interface DsseEnvelope {
  readonly payload: string;
  readonly payloadType: string;
  readonly signatures: readonly DsseSignature[];
}

/** DSSE v1 Pre-Authentication Encoding, byte for byte per protocol.md. */
export function pae(payloadType: string, body: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${body.length} `, 'ascii'),
    body,
  ]);
}

/** Something that signs bytes: a local key today, a KMS or HSM later. */
export interface Signer {
  readonly keyId: string;
  sign(data: Uint8Array): Buffer;
}

/**
 * Signer over a local private key. Ed25519 signs the message itself (RFC 8032, no prehash);
 * P-256 is ECDSA with SHA-256 and an ASN.1 DER signature, as Sigstore clients produce.
 */
export function createKeySigner(privateKey: KeyObject): Signer {
  const type = keyTypeOf(privateKey);
  const keyId = keyIdOf(privateKey);
  return {
    keyId,
    sign: (data) => (type === 'ed25519' ? sign(null, data, privateKey) : sign('sha256', data, { key: privateKey, dsaEncoding: 'der' })),
  };
}

/** Verifies one raw signature over `data`; never throws (malformed signatures are just false). */
export function verifySignature(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    const type = keyTypeOf(publicKey);
    return type === 'ed25519'
      ? verify(null, data, publicKey, signature)
      : verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** Builds a signed DSSE envelope over `body`. */
export function signEnvelope(body: Uint8Array, payloadType: string, signer: Signer): DsseEnvelope {
  const sig = signer.sign(pae(payloadType, body));
  return {
    payload: Buffer.from(body).toString('base64'),
    payloadType,
    signatures: [{ sig: sig.toString('base64'), keyid: signer.keyId }],
  };
}

/**
 * True when at least one signature of the envelope verifies over PAE(payloadType, payload) with
 * `publicKey`. The keyid is an unauthenticated hint (protocol.md) and is not required to match.
 */
export function verifyEnvelope(payloadType: string, payload: Uint8Array, signatures: readonly Uint8Array[], publicKey: KeyObject): boolean {
  const data = pae(payloadType, payload);
  return signatures.some((s) => verifySignature(publicKey, data, s));
}
