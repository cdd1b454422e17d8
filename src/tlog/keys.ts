/**
 * Note keys per C2SP signed-note: Ed25519 signers and verifiers (signature type 0x01) and
 * C2SP tlog-cosignature v1 witness keys (type 0x04, timestamped Ed25519).
 *
 * Text forms (as golang.org/x/mod/sumdb/note writes them):
 *   verifier key  name+<8 hex key id>+base64(type || 32-byte public key)
 *   signer key    PRIVATE+KEY+name+<8 hex key id>+base64(type || 32-byte Ed25519 seed)
 * key ID = SHA-256(name || 0x0A || type || public key)[:4], big-endian uint32.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { sha256 } from '../core/index.js';
import { decodeBase64Strict, isWellFormedString } from './encoding.js';
import { LOG_ERROR_CODES as C, LogError } from './errors.js';

/** C2SP signed-note signature type: plain Ed25519 over the note text. */
export const SIG_TYPE_ED25519 = 0x01;
/** C2SP signed-note signature type: tlog-cosignature v1 timestamped Ed25519 witness cosignature. */
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

/** Signature types this implementation signs and verifies. */
export type NoteSignatureType = typeof SIG_TYPE_ED25519 | typeof SIG_TYPE_COSIGNATURE_V1;

/** Signs note text under a key name and id. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly type: NoteSignatureType;
  /** Returns the signature bytes that follow the 4-byte key id in a signature line. */
  sign(text: Uint8Array): Buffer;
}

/** Verifies signatures on note text for one (name, key id). */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly type: NoteSignatureType;
  /** `signature` excludes the 4-byte key id; false (never a throw) when it does not verify. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** A signer built from a key string, which also knows its public verifier key. */
export interface KeyedNoteSigner extends NoteSigner {
  readonly verifierKey: string;
}

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const COSIGNATURE_HEADER = 'cosignature/v1';
/** C2SP tlog-cosignature: timestamps are u64 on the wire but MUST NOT exceed 2^63-1. */
const MAX_COSIGNATURE_TIMESTAMP = 2n ** 63n - 1n;

/** True for a valid C2SP key name: non-empty, no Unicode spaces, no '+', no control characters. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && isWellFormedString(name) && !/[\s+\p{Cc}]/u.test(name);
}

/** key ID = SHA-256(name || 0x0A || type || public key)[:4] as a big-endian uint32. */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const h = sha256(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a, type]), publicKey]));
  return h.readUInt32BE(0);
}

/** Formats a key id as the 8 lowercase hex digits used in key strings. */
export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

function keyError(message: string, reason: string): LogError {
  return new LogError(C.KEY_MALFORMED, message, { details: { reason } });
}

function checkName(name: string): void {
  if (!isValidKeyName(name)) {
    throw keyError(`key name ${JSON.stringify(name)} is invalid: it must be non-empty and contain no spaces or '+'`, 'bad-name');
  }
}

function checkType(type: number): NoteSignatureType {
  if (type === SIG_TYPE_ED25519 || type === SIG_TYPE_COSIGNATURE_V1) return type;
  throw keyError(`signature type 0x${type.toString(16).padStart(2, '0')} is not supported; use Ed25519 (0x01) or cosignature/v1 (0x04)`, 'unsupported-type');
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

function rawPublicKey(priv: KeyObject): Buffer {
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  return spki.subarray(SPKI_ED25519.length);
}

/** The message a tlog-cosignature v1 signs: header line, time line, then the checkpoint text. */
export function cosignatureMessage(text: Uint8Array | string, timestamp: number | bigint): Buffer {
  const head = Buffer.from(`${COSIGNATURE_HEADER}\ntime ${BigInt(timestamp).toString(10)}\n`, 'utf8');
  return Buffer.concat([head, typeof text === 'string' ? Buffer.from(text, 'utf8') : text]);
}

/** The timestamp (seconds since the epoch) in a 72-byte cosignature, or undefined if it has another size. */
export function cosignatureTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length !== 72) return undefined;
  const t = Buffer.from(signature.buffer, signature.byteOffset, 8).readBigUInt64BE(0);
  return t <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(t) : undefined;
}

/** Builds a verifier from a key name, signature type and raw 32-byte Ed25519 public key. */
export function createNoteVerifier(name: string, type: number, publicKey: Uint8Array): NoteVerifier {
  checkName(name);
  const t = checkType(type);
  if (publicKey.length !== 32) throw keyError(`Ed25519 public key must be 32 bytes, got ${publicKey.length}`, 'bad-key-size');
  let key: KeyObject;
  try {
    key = publicKeyObject(publicKey);
  } catch (cause) {
    throw new LogError(C.KEY_MALFORMED, 'Ed25519 public key is not a valid curve point', { cause, details: { reason: 'bad-key' } });
  }
  const keyId = computeKeyId(name, t, publicKey);
  const ed25519Verify = (msg: Uint8Array, sig: Uint8Array): boolean => {
    if (sig.length !== 64) return false;
    try {
      return verify(null, msg, key, sig);
    } catch {
      return false;
    }
  };
  return {
    name,
    keyId,
    type: t,
    verify(text: Uint8Array, signature: Uint8Array): boolean {
      if (t === SIG_TYPE_ED25519) return ed25519Verify(text, signature);
      // tlog-cosignature: timestamped_signature { u64 timestamp; u8 signature[64]; }.
      if (signature.length !== 72) return false;
      const ts = Buffer.from(signature.buffer, signature.byteOffset, 8).readBigUInt64BE(0);
      // C2SP tlog-cosignature: the timestamp MUST NOT exceed 2^63-1; such a cosignature is invalid.
      if (ts > MAX_COSIGNATURE_TIMESTAMP) return false;
      return ed25519Verify(cosignatureMessage(text, ts), signature.subarray(8));
    },
  };
}

export interface SignerOptions {
  /** Clock for cosignature timestamps, in whole seconds since the epoch (default: now). */
  readonly now?: () => number;
}

/** Builds a signer from a key name, signature type and 32-byte Ed25519 seed. */
export function createNoteSigner(name: string, type: number, seed: Uint8Array, options: SignerOptions = {}): KeyedNoteSigner {
  checkName(name);
  const t = checkType(type);
  if (seed.length !== 32) throw keyError(`Ed25519 private key seed must be 32 bytes, got ${seed.length}`, 'bad-key-size');
  const priv = privateKeyObject(seed);
  const pub = rawPublicKey(priv);
  const keyId = computeKeyId(name, t, pub);
  const now = options.now ?? ((): number => Math.floor(Date.now() / 1000));
  return {
    name,
    keyId,
    type: t,
    verifierKey: formatVerifierKey(name, t, pub),
    sign(text: Uint8Array): Buffer {
      if (t === SIG_TYPE_ED25519) return sign(null, text, priv);
      const ts = now();
      if (!Number.isSafeInteger(ts) || ts < 0) {
        throw new LogError(C.RANGE, `cosignature timestamp must be a non-negative integer number of seconds, got ${ts}`);
      }
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt(ts));
      return Buffer.concat([head, sign(null, cosignatureMessage(text, ts), priv)]);
    },
  };
}

/** Writes `name+hexid+base64(type || publicKey)`. */
export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  checkName(name);
  const id = computeKeyId(name, type, publicKey);
  return `${name}+${formatKeyId(id)}+${Buffer.concat([Buffer.from([type]), publicKey]).toString('base64')}`;
}

/** Writes `PRIVATE+KEY+name+hexid+base64(type || seed)`; the id is that of the matching public key. */
export function formatSignerKey(name: string, type: number, seed: Uint8Array): string {
  checkName(name);
  const pub = rawPublicKey(privateKeyObject(seed));
  const id = computeKeyId(name, type, pub);
  return `PRIVATE+KEY+${name}+${formatKeyId(id)}+${Buffer.concat([Buffer.from([type]), seed]).toString('base64')}`;
}

/** Splits at the first `n - 1` '+' signs: the base64 key material itself may contain '+'. */
function splitPlus(s: string, n: number): string[] | undefined {
  const out: string[] = [];
  let rest = s;
  for (let i = 0; i < n - 1; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

function parseKeyParts(name: string, idHex: string, b64: string, what: string): { type: number; key: Buffer; id: number } {
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw keyError(`${what} key id must be 8 lowercase hex digits, got ${JSON.stringify(idHex)}`, 'bad-key-id');
  const raw = decodeBase64Strict(b64);
  if (raw === undefined || raw.length !== 33) {
    throw keyError(`${what} key material must be base64 of a type byte and 32 key bytes`, 'bad-key-material');
  }
  return { type: checkType(raw[0] as number), key: raw.subarray(1), id: Number.parseInt(idHex, 16) };
}

/** Parses a verifier key `name+hexid+base64(type || pubkey)`; the key id must match the key. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  if (vkey.startsWith('PRIVATE+KEY+')) {
    throw keyError('this is a private signer key; pass the public verifier key (name+keyid+base64key) instead', 'private-key');
  }
  const parts = splitPlus(vkey, 3);
  if (parts === undefined) throw keyError("verifier key must read name+keyid+base64key (three '+'-separated fields)", 'bad-format');
  const [name, idHex, b64] = parts as [string, string, string];
  const { type, key, id } = parseKeyParts(name, idHex, b64, 'verifier');
  const v = createNoteVerifier(name, type, key);
  if (v.keyId !== id) throw keyError(`verifier key id ${idHex} does not match its public key (expected ${formatKeyId(v.keyId)})`, 'key-id-mismatch');
  return v;
}

/** Parses a signer key `PRIVATE+KEY+name+hexid+base64(type || seed)`; the key id must match. */
export function parseSignerKey(skey: string, options: SignerOptions = {}): KeyedNoteSigner {
  const parts = splitPlus(skey, 5);
  if (parts === undefined || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') {
    throw keyError('signer key must read PRIVATE+KEY+name+keyid+base64key', 'bad-format');
  }
  const [, , name, idHex, b64] = parts as [string, string, string, string, string];
  const { type, key, id } = parseKeyParts(name, idHex, b64, 'signer');
  const s = createNoteSigner(name, type, key, options);
  if (s.keyId !== id) throw keyError(`signer key id ${idHex} does not match its key (expected ${formatKeyId(s.keyId)})`, 'key-id-mismatch');
  return s;
}

/** A fresh key pair as C2SP key strings; `type` 0x04 makes a witness cosigning key. */
export function generateNoteKey(name: string, type: NoteSignatureType = SIG_TYPE_ED25519): { signerKey: string; verifierKey: string } {
  checkName(name);
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const seed = der.subarray(der.length - 32);
  return { signerKey: formatSignerKey(name, type, seed), verifierKey: formatVerifierKey(name, type, rawPublicKey(privateKey)) };
}
