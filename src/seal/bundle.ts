/**
 * Sigstore bundle v0.3 (sigstore/protobuf-specs, protos/sigstore_bundle.proto, proto3 JSON form)
 * holding a DSSE envelope. We write the public-key form (`verificationMaterial.publicKey.hint` =
 * key id, `tlogEntries: []`); we parse every v0.3 form (publicKey, x509CertificateChain,
 * certificate) so bundles from other tools (e.g. OpenSSF model-signing) can be read. Certificates
 * are parsed as base64 DER, not validated: that needs Fulcio roots and is out of scope offline.
 */
import { parseStrictJson, ProvenantError } from '../core/index.js';
import type { DsseEnvelope } from './dsse.js';
import { SealError, type SealErrorCode } from './errors.js';

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The older spelling sigstore_bundle.proto also allows for v0.3. */
const BUNDLE_MEDIA_TYPE_ALT = 'application/vnd.dev.sigstore.bundle+json;version=0.3';

export type VerificationMaterial =
  | { readonly kind: 'publicKey'; readonly hint?: string }
  | { readonly kind: 'certificate'; readonly certificate: Buffer }
  | { readonly kind: 'x509CertificateChain'; readonly certificates: readonly Buffer[] };

export interface ParsedSignature {
  readonly sig: Buffer;
  readonly keyid?: string;
}

/** A bundle that passed structural checks; nothing in it is authenticated yet. */
export interface ParsedBundle {
  readonly mediaType: string;
  readonly material: VerificationMaterial;
  readonly tlogEntries: readonly Readonly<Record<string, unknown>>[];
  readonly envelope: {
    readonly payloadType: string;
    /** Decoded payload bytes: exactly what the signature covers. */
    readonly payload: Buffer;
    readonly signatures: readonly ParsedSignature[];
  };
}

/** Builds the bundle object for a DSSE envelope signed with a public key whose id is `keyId`. */
export function buildBundle(envelope: DsseEnvelope, keyId: string): Record<string, unknown> {
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyId }, tlogEntries: [] },
    dsseEnvelope: {
      payload: envelope.payload,
      payloadType: envelope.payloadType,
      signatures: envelope.signatures.map((s) => ({ sig: s.sig, ...(s.keyid !== undefined ? { keyid: s.keyid } : {}) })),
    },
  };
}

/** Serializes a bundle as the `bundle.sigstore.json` text (2-space JSON, trailing newline). */
export function serializeBundle(bundle: Record<string, unknown>): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

interface Issue {
  readonly code: SealErrorCode;
  readonly path: string;
  readonly message: string;
}

// When several problems exist the error carries the most specific code; all are listed.
const PRIORITY: readonly SealErrorCode[] = [
  'SEAL_BUNDLE_MEDIA_TYPE',
  'SEAL_BUNDLE_NO_MATERIAL',
  'SEAL_BUNDLE_NO_ENVELOPE',
  'SEAL_DSSE_NO_SIGNATURES',
  'SEAL_BUNDLE_TLOG_MISSING',
  'SEAL_BUNDLE_BASE64',
  'SEAL_BUNDLE_SHAPE',
];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** proto3 JSON bytes: standard or URL-safe base64, padding optional (protobuf JSON mapping). */
function isBase64(s: string): boolean {
  if (s.length % 4 === 1) return false;
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) || /^[A-Za-z0-9_-]*={0,2}$/.test(s);
}

/**
 * Parses bundle text (attacker-controlled) into a ParsedBundle. Throws SealError (kind
 * 'verification') with a SEAL_BUNDLE_* / SEAL_DSSE_NO_SIGNATURES code listing every issue.
 */
export function parseBundle(text: string | Buffer, file = 'bundle.sigstore.json'): ParsedBundle {
  const loc = { file };
  let doc: unknown;
  try {
    doc = parseStrictJson(typeof text === 'string' ? text : text.toString('utf8'), { location: loc });
  } catch (err) {
    const dup = err instanceof ProvenantError && err.code === 'JSON_DUPLICATE_KEY';
    const what = err instanceof ProvenantError ? err.oneLine() : String(err);
    throw new SealError(dup ? 'SEAL_BUNDLE_DUPLICATE_KEY' : 'SEAL_BUNDLE_JSON', `${file} is not a usable bundle: ${what}`, {
      kind: 'verification',
      location: err instanceof ProvenantError && err.location ? err.location : loc,
      cause: err,
    });
  }
  const issues: Issue[] = [];
  const add = (code: SealErrorCode, path: string, message: string): void => {
    issues.push({ code, path, message });
  };
  if (!isObject(doc)) {
    add('SEAL_BUNDLE_SHAPE', '$', 'a bundle must be a JSON object');
    throw issuesError(issues, file);
  }

  for (const k of Object.keys(doc)) {
    if (!['mediaType', 'verificationMaterial', 'dsseEnvelope', 'messageSignature'].includes(k)) add('SEAL_BUNDLE_SHAPE', `$.${k}`, 'unknown field');
  }
  const mediaType = doc['mediaType'];
  if (mediaType !== BUNDLE_MEDIA_TYPE && mediaType !== BUNDLE_MEDIA_TYPE_ALT) {
    add('SEAL_BUNDLE_MEDIA_TYPE', '$.mediaType', `expected ${JSON.stringify(BUNDLE_MEDIA_TYPE)}, got ${JSON.stringify(mediaType ?? null)}`);
  }

  const material = parseMaterial(doc['verificationMaterial'], add);
  const envelope = parseEnvelope(doc, add);

  if (issues.length > 0 || material === undefined || envelope === undefined) throw issuesError(issues, file);
  return { mediaType: mediaType as string, material: material.material, tlogEntries: material.tlogEntries, envelope };
}

type Add = (code: SealErrorCode, path: string, message: string) => void;

function base64Field(v: unknown, path: string, add: Add, allowEmpty = false): Buffer | undefined {
  if (typeof v !== 'string') {
    add('SEAL_BUNDLE_SHAPE', path, 'must be a base64 string');
    return undefined;
  }
  if (!isBase64(v)) {
    add('SEAL_BUNDLE_BASE64', path, 'is not valid base64');
    return undefined;
  }
  if (!allowEmpty && v.length === 0) {
    add('SEAL_BUNDLE_SHAPE', path, 'must not be empty');
    return undefined;
  }
  return Buffer.from(v, 'base64');
}

function parseMaterial(vm: unknown, add: Add): { material: VerificationMaterial; tlogEntries: Record<string, unknown>[] } | undefined {
  const p = '$.verificationMaterial';
  if (vm === undefined) {
    add('SEAL_BUNDLE_NO_MATERIAL', p, 'is missing; a bundle must carry the key hint or certificate that signed it');
    return undefined;
  }
  if (!isObject(vm)) {
    add('SEAL_BUNDLE_SHAPE', p, 'must be an object');
    return undefined;
  }
  const kinds = ['publicKey', 'x509CertificateChain', 'certificate'].filter((k) => vm[k] !== undefined);
  for (const k of Object.keys(vm)) {
    if (!['publicKey', 'x509CertificateChain', 'certificate', 'tlogEntries', 'timestampVerificationData'].includes(k)) add('SEAL_BUNDLE_SHAPE', `${p}.${k}`, 'unknown field');
  }
  let material: VerificationMaterial | undefined;
  if (kinds.length !== 1) {
    add('SEAL_BUNDLE_SHAPE', p, `must hold exactly one of publicKey, x509CertificateChain, certificate (found ${kinds.length})`);
  } else if (kinds[0] === 'publicKey') {
    const pk = vm['publicKey'];
    if (!isObject(pk)) add('SEAL_BUNDLE_SHAPE', `${p}.publicKey`, 'must be an object');
    else if (pk['hint'] !== undefined && typeof pk['hint'] !== 'string') add('SEAL_BUNDLE_SHAPE', `${p}.publicKey.hint`, 'must be a string');
    else material = typeof pk['hint'] === 'string' ? { kind: 'publicKey', hint: pk['hint'] } : { kind: 'publicKey' };
  } else if (kinds[0] === 'certificate') {
    const c = vm['certificate'];
    if (!isObject(c)) add('SEAL_BUNDLE_SHAPE', `${p}.certificate`, 'must be an object');
    else {
      const der = base64Field(c['rawBytes'], `${p}.certificate.rawBytes`, add);
      if (der) material = { kind: 'certificate', certificate: der };
    }
  } else {
    const chain = vm['x509CertificateChain'];
    const certs = isObject(chain) ? chain['certificates'] : undefined;
    if (!Array.isArray(certs) || certs.length === 0) add('SEAL_BUNDLE_SHAPE', `${p}.x509CertificateChain.certificates`, 'must be a non-empty array');
    else {
      const out: Buffer[] = [];
      certs.forEach((c, i) => {
        const der = isObject(c) ? base64Field(c['rawBytes'], `${p}.x509CertificateChain.certificates[${i}].rawBytes`, add) : undefined;
        if (!isObject(c)) add('SEAL_BUNDLE_SHAPE', `${p}.x509CertificateChain.certificates[${i}]`, 'must be an object');
        if (der) out.push(der);
      });
      if (out.length === certs.length) material = { kind: 'x509CertificateChain', certificates: out };
    }
  }

  const tl = vm['tlogEntries'];
  const tlogEntries: Record<string, unknown>[] = [];
  if (tl !== undefined && !Array.isArray(tl)) add('SEAL_BUNDLE_SHAPE', `${p}.tlogEntries`, 'must be an array');
  else if (Array.isArray(tl)) {
    tl.forEach((e, i) => {
      const ep = `${p}.tlogEntries[${i}]`;
      if (!isObject(e)) return add('SEAL_BUNDLE_SHAPE', ep, 'must be an object');
      for (const f of ['logIndex', 'integratedTime']) {
        const v = e[f];
        if (v !== undefined && !(typeof v === 'string' && /^\d{1,19}$/.test(v)) && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) {
          add('SEAL_BUNDLE_SHAPE', `${ep}.${f}`, 'must be a non-negative int64 (decimal string)');
        }
      }
      for (const f of ['logId', 'kindVersion', 'inclusionPromise', 'inclusionProof']) {
        if (e[f] !== undefined && !isObject(e[f])) add('SEAL_BUNDLE_SHAPE', `${ep}.${f}`, 'must be an object');
      }
      if (e['canonicalizedBody'] !== undefined) base64Field(e['canonicalizedBody'], `${ep}.canonicalizedBody`, add);
      tlogEntries.push(e);
    });
  }
  // sigstore_bundle.proto: keyless (Fulcio certificate) signatures are only trustworthy with a
  // transparency-log entry proving the signing time within the certificate's validity.
  if (kinds.length === 1 && kinds[0] === 'certificate' && tlogEntries.length === 0 && (tl === undefined || Array.isArray(tl))) {
    add('SEAL_BUNDLE_TLOG_MISSING', `${p}.tlogEntries`, 'a certificate (keyless) bundle needs at least one transparency log entry');
  }
  const tvd = vm['timestampVerificationData'];
  if (tvd !== undefined) {
    if (!isObject(tvd)) add('SEAL_BUNDLE_SHAPE', `${p}.timestampVerificationData`, 'must be an object');
    else if (tvd['rfc3161Timestamps'] !== undefined) {
      const ts = tvd['rfc3161Timestamps'];
      if (!Array.isArray(ts)) add('SEAL_BUNDLE_SHAPE', `${p}.timestampVerificationData.rfc3161Timestamps`, 'must be an array');
      else ts.forEach((t, i) => {
        const tp = `${p}.timestampVerificationData.rfc3161Timestamps[${i}]`;
        if (!isObject(t)) add('SEAL_BUNDLE_SHAPE', tp, 'must be an object');
        else base64Field(t['signedTimestamp'], `${tp}.signedTimestamp`, add);
      });
    }
  }
  return material ? { material, tlogEntries } : undefined;
}

function parseEnvelope(doc: Record<string, unknown>, add: Add): ParsedBundle['envelope'] | undefined {
  const p = '$.dsseEnvelope';
  const env = doc['dsseEnvelope'];
  if (env === undefined) {
    add('SEAL_BUNDLE_NO_ENVELOPE', p, doc['messageSignature'] !== undefined ? 'message-signature bundles are not supported; Provenant seals carry a DSSE envelope' : 'is missing');
    return undefined;
  }
  if (doc['messageSignature'] !== undefined) add('SEAL_BUNDLE_SHAPE', '$.messageSignature', 'a bundle holds either dsseEnvelope or messageSignature, not both');
  if (!isObject(env)) {
    add('SEAL_BUNDLE_SHAPE', p, 'must be an object');
    return undefined;
  }
  for (const k of Object.keys(env)) {
    if (!['payload', 'payloadType', 'signatures'].includes(k)) add('SEAL_BUNDLE_SHAPE', `${p}.${k}`, 'unknown field');
  }
  const payload = base64Field(env['payload'], `${p}.payload`, add, true);
  const payloadType = env['payloadType'];
  if (typeof payloadType !== 'string') add('SEAL_BUNDLE_SHAPE', `${p}.payloadType`, 'must be a string');
  const sigs = env['signatures'];
  const signatures: ParsedSignature[] = [];
  if (!Array.isArray(sigs)) add(sigs === undefined ? 'SEAL_DSSE_NO_SIGNATURES' : 'SEAL_BUNDLE_SHAPE', `${p}.signatures`, 'must be an array of signatures');
  else if (sigs.length === 0) add('SEAL_DSSE_NO_SIGNATURES', `${p}.signatures`, 'is empty; DSSE needs at least one signature');
  // A Sigstore bundle's envelope holds exactly one signature. Accepting extra ones would let anyone
  // append a junk signature that still verifies (one good one suffices) yet changes the envelope's
  // digest, the identity its log entry and store record are keyed by.
  else if (sigs.length > 1) add('SEAL_DSSE_SIGNATURE_COUNT', `${p}.signatures`, `holds ${sigs.length} signatures; a Sigstore bundle's envelope holds exactly one`);
  else
    sigs.forEach((s, i) => {
      const sp = `${p}.signatures[${i}]`;
      if (!isObject(s)) return add('SEAL_BUNDLE_SHAPE', sp, 'must be an object');
      for (const k of Object.keys(s)) if (k !== 'sig' && k !== 'keyid') add('SEAL_BUNDLE_SHAPE', `${sp}.${k}`, 'unknown field');
      const keyid = s['keyid'];
      if (keyid !== undefined && keyid !== null && typeof keyid !== 'string') add('SEAL_BUNDLE_SHAPE', `${sp}.keyid`, 'must be a string');
      const sig = base64Field(s['sig'], `${sp}.sig`, add);
      if (sig) signatures.push(typeof keyid === 'string' && keyid !== '' ? { sig, keyid } : { sig });
    });
  if (payload === undefined || typeof payloadType !== 'string' || !Array.isArray(sigs) || signatures.length !== sigs.length || sigs.length !== 1) return undefined;
  return { payloadType, payload, signatures };
}

function issuesError(issues: readonly Issue[], file: string): SealError {
  const sorted = [...issues].sort((a, b) => PRIORITY.indexOf(a.code) - PRIORITY.indexOf(b.code));
  const first = sorted[0] ?? { code: 'SEAL_BUNDLE_SHAPE' as const, path: '$', message: 'invalid bundle' };
  const list = sorted.map((i) => `${i.path} ${i.message}`).join('; ');
  return new SealError(first.code, `${file} is not a valid Sigstore v0.3 bundle: ${list}`, {
    kind: 'verification',
    location: { file, path: first.path },
    details: { issues: sorted.map((i) => ({ code: i.code, path: i.path, message: i.message })) },
  });
}
