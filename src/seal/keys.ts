/**
 * Signing keys: Ed25519 (default) and ECDSA P-256, stored as PEM (PKCS#8 private, SPKI public).
 *
 * Key id: lowercase hex SHA-256 of the DER-encoded SubjectPublicKeyInfo of the public key. It is
 * what the bundle's `verificationMaterial.publicKey.hint` and each DSSE `keyid` carry, so a
 * verifier can tell "signed by another key" from "signature altered" before trying the key.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { sha256Hex } from '../core/index.js';
import { SealError } from './errors.js';

export type KeyType = 'ed25519' | 'p256';

export interface PemKeyPair {
  readonly type: KeyType;
  /** PKCS#8 PEM. */
  readonly privateKey: string;
  /** SPKI PEM. */
  readonly publicKey: string;
  readonly keyId: string;
}

/** Generates a new key pair as PEM text. */
export function generateKeyPair(type: KeyType = 'ed25519'): PemKeyPair {
  const kp =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const privateKey = kp.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKey = kp.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { type, privateKey, publicKey, keyId: keyIdOf(kp.publicKey) };
}

export interface WriteKeyPairOptions {
  readonly type?: KeyType;
  /** Replace existing PREFIX.key / PREFIX.pub. */
  readonly force?: boolean;
}

/**
 * Writes PREFIX.key (PKCS#8 PEM, created with mode 0600) and PREFIX.pub (SPKI PEM). Refuses to
 * overwrite either file unless `force`.
 */
export async function writeKeyPair(prefix: string, options: WriteKeyPairOptions = {}): Promise<{ keyPath: string; pubPath: string; keyId: string; type: KeyType }> {
  const kp = generateKeyPair(options.type ?? 'ed25519');
  const keyPath = `${prefix}.key`;
  const pubPath = `${prefix}.pub`;
  // O_EXCL makes the existence check and the creation one step; the mode applies at creation, so
  // the private key is never readable by others, not even for a moment.
  const flags = options.force ? fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC : fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL;
  if (options.force) await rm(keyPath, { force: true });
  await writeNew(keyPath, kp.privateKey, flags, 0o600);
  try {
    await writeNew(pubPath, kp.publicKey, flags, 0o644);
  } catch (err) {
    await rm(keyPath, { force: true });
    throw err;
  }
  return { keyPath, pubPath, keyId: kp.keyId, type: kp.type };
}

async function writeNew(path: string, text: string, flags: number, mode: number): Promise<void> {
  let fh;
  try {
    fh = await open(path, flags, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SealError('SEAL_KEY_EXISTS', `${path} already exists; choose another --out prefix or pass --force to replace it`, { location: { file: path } });
    }
    throw new SealError('SEAL_KEY_UNREADABLE', `cannot create ${path}: ${(err as Error).message}`, { location: { file: path }, cause: err });
  }
  try {
    await fh.writeFile(text);
    await fh.chmod(mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Lowercase hex SHA-256 of the SPKI DER of a public (or private, via its public half) key. */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return sha256Hex(pub.export({ type: 'spki', format: 'der' }));
}

/** The supported algorithm of a key, or a SEAL_KEY_ALGORITHM error. */
export function keyTypeOf(key: KeyObject, where = '<key>'): KeyType {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'p256';
  const what = key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve ?? '?'}` : (key.asymmetricKeyType ?? 'unknown');
  throw new SealError('SEAL_KEY_ALGORITHM', `${what} keys are not supported; use an Ed25519 or ECDSA P-256 key (provenant keygen)`, { location: { file: where } });
}

function pemLabel(text: string): string | undefined {
  return /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
}

/** Parses a PKCS#8 PEM private key (Ed25519 or P-256) into a KeyObject; coded errors otherwise. */
export function loadPrivateKey(pem: string | Buffer, where = '<key>'): KeyObject {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  const label = pemLabel(text);
  const loc = { location: { file: where } };
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new SealError('SEAL_KEY_ENCRYPTED', `${where} is an encrypted private key; decrypt it first (openssl pkcs8 -topk8 -nocrypt) or generate one with provenant keygen`, loc);
  }
  if (label === 'PUBLIC KEY') {
    throw new SealError('SEAL_KEY_WRONG_TYPE', `${where} is a public key; signing needs the private key (the .key file)`, loc);
  }
  if (label === undefined || !label.endsWith('PRIVATE KEY')) {
    throw new SealError('SEAL_KEY_GARBAGE', `${where} is not a PEM private key; expected "-----BEGIN PRIVATE KEY-----" (PKCS#8)`, loc);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch (err) {
    throw new SealError('SEAL_KEY_GARBAGE', `${where} cannot be parsed as a PEM private key: ${(err as Error).message}`, { ...loc, cause: err });
  }
  keyTypeOf(key, where);
  return key;
}

/** Parses an SPKI PEM public key (Ed25519 or P-256) into a KeyObject; coded errors otherwise. */
export function loadPublicKey(pem: string | Buffer, where = '<key>'): KeyObject {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  const label = pemLabel(text);
  const loc = { location: { file: where } };
  if (label !== undefined && label.endsWith('PRIVATE KEY')) {
    throw new SealError('SEAL_KEY_WRONG_TYPE', `${where} is a private key; verification needs the vendor's public key (the .pub file); never share the private key`, loc);
  }
  if (label !== 'PUBLIC KEY') {
    throw new SealError('SEAL_KEY_GARBAGE', `${where} is not a PEM public key; expected "-----BEGIN PUBLIC KEY-----" (SPKI)`, loc);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch (err) {
    throw new SealError('SEAL_KEY_GARBAGE', `${where} cannot be parsed as a PEM public key: ${(err as Error).message}`, { ...loc, cause: err });
  }
  keyTypeOf(key, where);
  return key;
}

/** Reads a key file; a missing or unreadable file is SEAL_KEY_UNREADABLE. */
export async function readKeyFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new SealError('SEAL_KEY_UNREADABLE', `cannot read key ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { location: { file: path }, cause: err });
  }
}

/** Accepts PEM text/bytes or a KeyObject and returns a private KeyObject. */
export function toPrivateKey(key: string | Buffer | KeyObject, where = '<key>'): KeyObject {
  if (typeof key === 'string' || Buffer.isBuffer(key)) return loadPrivateKey(key, where);
  if (key.type !== 'private') throw new SealError('SEAL_KEY_WRONG_TYPE', `${where}: signing needs a private key`, { location: { file: where } });
  keyTypeOf(key, where);
  return key;
}

/** Accepts PEM text/bytes or a KeyObject and returns a public KeyObject. */
export function toPublicKey(key: string | Buffer | KeyObject, where = '<key>'): KeyObject {
  if (typeof key === 'string' || Buffer.isBuffer(key)) return loadPublicKey(key, where);
  if (key.type !== 'public') throw new SealError('SEAL_KEY_WRONG_TYPE', `${where}: verification needs a public key`, { location: { file: where } });
  keyTypeOf(key, where);
  return key;
}
