/**
 * Opening a seal: bundle → DSSE payloadType → signature with the verifier's key → statement.
 * Shared by verify and verify-record; each step has its own error code, checked in this order.
 */
import type { KeyObject } from 'node:crypto';
import { canonicalize, sha256Hex } from '../core/index.js';
import { parseBundle, type ParsedBundle } from './bundle.js';
import { IN_TOTO_PAYLOAD_TYPE, verifyEnvelope } from './dsse.js';
import { verificationError } from './errors.js';
import { keyIdOf } from './keys.js';
import { parseDeliveryStatement, type DeliveryStatement } from './statement.js';

export interface OpenedSeal {
  readonly bundle: ParsedBundle;
  readonly statement: DeliveryStatement;
  readonly payload: Buffer;
}

/**
 * Parses and authenticates a bundle against `publicKey`. Throws SealError (kind 'verification'):
 * SEAL_BUNDLE_*, SEAL_DSSE_PAYLOAD_TYPE, SEAL_WRONG_KEY / SEAL_SIGNATURE_INVALID, then the
 * statement codes. The statement is only parsed after its signature verified.
 */
export function openSeal(bundleText: string | Buffer, publicKey: KeyObject, file = 'bundle.sigstore.json'): OpenedSeal {
  const bundle = parseBundle(bundleText, file);
  const env = bundle.envelope;
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw verificationError('SEAL_DSSE_PAYLOAD_TYPE', `DSSE payloadType is ${JSON.stringify(env.payloadType)}, expected ${JSON.stringify(IN_TOTO_PAYLOAD_TYPE)}; the seal was altered or is not a Provenant seal`, { location: { file } });
  }
  const ok = verifyEnvelope(env.payloadType, env.payload, env.signatures.map((s) => s.sig), publicKey);
  if (!ok) {
    // Hints are unauthenticated: they only choose which error to show, never whether to accept.
    const ours = keyIdOf(publicKey);
    const hints = [
      ...(bundle.material.kind === 'publicKey' && bundle.material.hint ? [bundle.material.hint] : []),
      ...env.signatures.flatMap((s) => (s.keyid ? [s.keyid] : [])),
    ];
    if (bundle.material.kind !== 'publicKey' || (hints.length > 0 && !hints.includes(ours))) {
      const other = bundle.material.kind === 'publicKey' ? `key ${hints[0] ?? '?'}` : `a ${bundle.material.kind}`;
      throw verificationError('SEAL_WRONG_KEY', `the seal was signed by ${other}, not by the given key ${ours}; check you have the right vendor's public key`, { location: { file } });
    }
    throw verificationError('SEAL_SIGNATURE_INVALID', `no signature in ${file} verifies with key ${ours}: the seal was altered after signing`, { location: { file } });
  }
  const statement = parseDeliveryStatement(env.payload);
  return { bundle, statement, payload: env.payload };
}


/**
 * SHA-256 (hex) of a DSSE envelope: over the RFC 8785 canonical JSON of
 * {payload (base64), payloadType, signatures [{keyid?, sig (base64)}]}, so it does not depend on
 * how the bundle file was formatted. This is the envelope's identity in the store and in the log.
 */
export function envelopeSha256(envelope: OpenedSeal['bundle']['envelope']): string {
  return sha256Hex(
    canonicalize({
      payload: envelope.payload.toString('base64'),
      payloadType: envelope.payloadType,
      signatures: envelope.signatures.map((s) => ({ ...(s.keyid ? { keyid: s.keyid } : {}), sig: s.sig.toString('base64') })),
    }),
  );
}
