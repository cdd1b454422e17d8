/**
 * The lab's trust file (YAML or JSON): which vendors it accepts deliveries from, the keys each
 * vendor signs with (validity window, revocation time), and the transparency logs (with witnesses)
 * whose receipts it checks. Strictly validated: unknown keys, wrong types, bad times, unreadable
 * or duplicate keys are all reported at once, each with its path (INTAKE_TRUST_INVALID).
 *
 *   vendors:
 *     - name: Acme Data                 # must equal the vendor in the sealed statement
 *       keys:
 *         - key: keys/acme.pub          # SPKI PEM file, relative to this file, or inline PEM
 *           notBefore: 2026-01-01       # optional; RFC 3339 or a date (UTC midnight)
 *           notAfter: 2027-01-01        # optional, exclusive
 *           revokedAt: 2026-09-01T12:00:00Z   # optional: deliveries logged at or after it are rejected
 *   logs:                               # optional
 *     - key: example.com/log+1a2b3c4d+AQ...   # C2SP verifier key of the log
 *       witnesses: [witness.example/w1+...]   # optional witness verifier keys
 *       quorum: 1                       # optional, default 0: witnesses that must have cosigned
 *   requireLog: true                    # optional: every delivery must carry a verified receipt
 */
import type { KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { parseStrictJson, ProvenantError } from '../core/index.js';
import { parseTime } from '../lineage/index.js';
import { keyIdOf, loadPublicKey } from '../seal/index.js';
import { parseVerifierKey } from '../tlog/index.js';
import { IntakeError } from './errors.js';

/** A vendor signing key the lab trusts. */
export interface TrustedKey {
  readonly vendor: string;
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** Where the key came from: the PEM file path, or 'inline'. */
  readonly source: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly revokedAt?: string;
}

/** A transparency log the lab trusts, with its witness policy. */
export interface TrustedLog {
  readonly key: string;
  readonly origin: string;
  readonly witnesses: readonly string[];
  readonly quorum: number;
}

/** A validated trust file. */
export interface TrustConfig {
  readonly file: string;
  readonly vendors: readonly { readonly name: string; readonly keys: readonly TrustedKey[] }[];
  readonly logs: readonly TrustedLog[];
  readonly requireLog: boolean;
}

export interface TrustIssue {
  readonly path: string;
  readonly message: string;
}

/** Trust files are small; anything larger is not one. */
const MAX_TRUST_BYTES = 1024 * 1024;
const MAX_KEY_BYTES = 64 * 1024;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and validates a trust file; INTAKE_TRUST_UNREADABLE / INTAKE_TRUST_INVALID otherwise. */
export async function loadTrust(path: string): Promise<TrustConfig> {
  let text: string;
  try {
    if ((await stat(path)).size > MAX_TRUST_BYTES) {
      throw new IntakeError('INTAKE_TRUST_INVALID', `trust file is larger than ${MAX_TRUST_BYTES} bytes; it should only list vendors, keys and logs`, { location: { file: path } });
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof IntakeError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new IntakeError('INTAKE_TRUST_UNREADABLE', `cannot read the trust file (${code}); check --trust`, { location: { file: path }, cause: err });
  }
  return parseTrust(text, { file: path, baseDir: dirname(path), readKey: readKeyText });
}

async function readKeyText(path: string): Promise<string> {
  if ((await stat(path)).size > MAX_KEY_BYTES) throw new Error('larger than 64 KiB');
  return readFile(path, 'utf8');
}

export interface ParseTrustOptions {
  /** For error locations; `.json` files are parsed as strict JSON, others as YAML. */
  readonly file: string;
  /** Key file paths are resolved against this folder. */
  readonly baseDir: string;
  /** Reads a key file (defaults to the file system, at most 64 KiB). */
  readonly readKey?: (path: string) => Promise<string>;
}

/** Parses and validates trust-file text; every problem is listed in one INTAKE_TRUST_INVALID. */
export async function parseTrust(text: string, options: ParseTrustOptions): Promise<TrustConfig> {
  const file = options.file;
  const issues: TrustIssue[] = [];
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  let doc: unknown;
  if (extname(file).toLowerCase() === '.json') {
    try {
      doc = parseStrictJson(text);
    } catch (err) {
      throw invalid(file, [{ path: '$', message: err instanceof Error ? err.message : 'not valid JSON' }]);
    }
  } else {
    const d = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    if (d.errors.length > 0) {
      throw invalid(
        file,
        d.errors.map((e) => ({ path: `line ${e.linePos?.[0]?.line ?? '?'}`, message: e.message.split('\n')[0] ?? 'YAML error' })),
      );
    }
    doc = d.toJS({ maxAliasCount: 100 }) as unknown;
  }
  if (!isObj(doc)) throw invalid(file, [{ path: '$', message: 'must be a mapping with vendors (and optionally logs, requireLog)' }]);
  for (const k of Object.keys(doc)) if (!['vendors', 'logs', 'requireLog'].includes(k)) add(`$.${k}`, 'unknown key; allowed: vendors, logs, requireLog');

  const time = (v: unknown, path: string): string | undefined => {
    if (v === undefined) return undefined;
    try {
      return parseTime(v, path);
    } catch {
      add(path, 'must be an RFC 3339 time like 2026-03-01T00:00:00Z or a date 2026-03-01');
      return undefined;
    }
  };
  const name = (v: unknown, path: string): string | undefined => {
    if (typeof v === 'string' && v.trim() !== '' && v.length <= 200) return v;
    add(path, 'must be a non-empty string of at most 200 characters');
    return undefined;
  };

  const vendors: { name: string; keys: TrustedKey[] }[] = [];
  const keyOwner = new Map<string, string>();
  const readKey = options.readKey ?? readKeyText;
  if (!Array.isArray(doc['vendors']) || doc['vendors'].length === 0) add('$.vendors', 'must be a non-empty list of {name, keys}');
  else {
    const seen = new Set<string>();
    for (const [i, v] of doc['vendors'].entries()) {
      const p = `$.vendors[${i}]`;
      if (!isObj(v)) {
        add(p, 'must be a mapping {name, keys}');
        continue;
      }
      for (const k of Object.keys(v)) if (!['name', 'keys'].includes(k)) add(`${p}.${k}`, 'unknown key; allowed: name, keys');
      const vendorName = name(v['name'], `${p}.name`);
      if (vendorName !== undefined) {
        if (seen.has(vendorName)) add(`${p}.name`, `vendor ${JSON.stringify(vendorName)} is listed twice; merge its keys into one entry`);
        seen.add(vendorName);
      }
      const keys: TrustedKey[] = [];
      if (!Array.isArray(v['keys']) || v['keys'].length === 0) add(`${p}.keys`, 'must be a non-empty list of {key, notBefore?, notAfter?, revokedAt?}');
      else {
        for (const [j, k] of v['keys'].entries()) {
          const kp = `${p}.keys[${j}]`;
          if (!isObj(k)) {
            add(kp, 'must be a mapping {key, notBefore?, notAfter?, revokedAt?}');
            continue;
          }
          for (const x of Object.keys(k)) if (!['key', 'notBefore', 'notAfter', 'revokedAt'].includes(x)) add(`${kp}.${x}`, 'unknown key; allowed: key, notBefore, notAfter, revokedAt');
          const notBefore = time(k['notBefore'], `${kp}.notBefore`);
          const notAfter = time(k['notAfter'], `${kp}.notAfter`);
          const revokedAt = time(k['revokedAt'], `${kp}.revokedAt`);
          if (notBefore !== undefined && notAfter !== undefined && notAfter <= notBefore) add(`${kp}.notAfter`, 'must be later than notBefore');
          const loaded = await loadKey(k['key'], `${kp}.key`, options.baseDir, readKey, add);
          if (!loaded || vendorName === undefined) continue;
          const owner = keyOwner.get(loaded.keyId);
          if (owner !== undefined) {
            add(`${kp}.key`, `key ${loaded.keyId.slice(0, 16)}… is already listed${owner === vendorName ? '' : ` for vendor ${JSON.stringify(owner)}`}; a key belongs to exactly one vendor, once`);
            continue;
          }
          keyOwner.set(loaded.keyId, vendorName);
          keys.push({
            vendor: vendorName,
            ...loaded,
            ...(notBefore !== undefined ? { notBefore } : {}),
            ...(notAfter !== undefined ? { notAfter } : {}),
            ...(revokedAt !== undefined ? { revokedAt } : {}),
          });
        }
      }
      if (vendorName !== undefined) vendors.push({ name: vendorName, keys });
    }
  }

  const logs: TrustedLog[] = [];
  if (doc['logs'] !== undefined) {
    if (!Array.isArray(doc['logs'])) add('$.logs', 'must be a list of {key, witnesses?, quorum?}');
    else {
      for (const [i, l] of doc['logs'].entries()) {
        const p = `$.logs[${i}]`;
        if (!isObj(l)) {
          add(p, 'must be a mapping {key, witnesses?, quorum?}');
          continue;
        }
        for (const k of Object.keys(l)) if (!['key', 'witnesses', 'quorum'].includes(k)) add(`${p}.${k}`, 'unknown key; allowed: key, witnesses, quorum');
        const origin = verifierKey(l['key'], `${p}.key`, add, false);
        const witnesses: string[] = [];
        if (l['witnesses'] !== undefined) {
          if (!Array.isArray(l['witnesses'])) add(`${p}.witnesses`, 'must be a list of witness verifier keys');
          else for (const [j, w] of l['witnesses'].entries()) if (verifierKey(w, `${p}.witnesses[${j}]`, add, true) !== undefined) witnesses.push(w as string);
        }
        let quorum = 0;
        if (l['quorum'] !== undefined) {
          const q = l['quorum'];
          if (typeof q !== 'number' || !Number.isInteger(q) || q < 0) add(`${p}.quorum`, 'must be a non-negative integer');
          else if (Array.isArray(l['witnesses']) ? q > l['witnesses'].length : q > 0) add(`${p}.quorum`, `is ${q} but only ${Array.isArray(l['witnesses']) ? l['witnesses'].length : 0} witness(es) are listed`);
          else quorum = q;
        }
        if (origin !== undefined) logs.push({ key: l['key'] as string, origin, witnesses, quorum });
      }
    }
  }

  let requireLog = false;
  if (doc['requireLog'] !== undefined) {
    if (typeof doc['requireLog'] !== 'boolean') add('$.requireLog', 'must be true or false');
    else requireLog = doc['requireLog'];
  }
  if (requireLog && (!Array.isArray(doc['logs']) || doc['logs'].length === 0)) add('$.requireLog', 'is true but no logs are listed; add the log key under logs');

  if (issues.length > 0) throw invalid(file, issues);
  return { file, vendors, logs, requireLog };
}

function invalid(file: string, issues: readonly TrustIssue[]): IntakeError {
  const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new IntakeError('INTAKE_TRUST_INVALID', `${issues.length} problem(s) in the trust file: ${list}; fix the file`, { location: { file }, details: { issues } });
}

async function loadKey(
  v: unknown,
  path: string,
  baseDir: string,
  readKey: (p: string) => Promise<string>,
  add: (path: string, message: string) => void,
): Promise<{ keyId: string; publicKey: KeyObject; source: string } | undefined> {
  if (typeof v !== 'string' || v.trim() === '') {
    add(path, 'must be a PEM public key file path (relative to the trust file) or inline PEM');
    return undefined;
  }
  const inline = v.includes('-----BEGIN');
  let pem: string;
  const source = inline ? 'inline' : resolve(baseDir, v);
  if (inline) pem = v;
  else {
    try {
      pem = await readKey(source);
    } catch (err) {
      add(path, `cannot read key file ${v} (${(err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : 'EIO')})`);
      return undefined;
    }
  }
  try {
    const publicKey = loadPublicKey(pem, source);
    return { keyId: keyIdOf(publicKey), publicKey, source };
  } catch (err) {
    add(path, err instanceof ProvenantError ? `not a usable public key: ${err.message}` : 'not a usable PEM public key (SPKI Ed25519 or P-256)');
    return undefined;
  }
}

function verifierKey(v: unknown, path: string, add: (path: string, message: string) => void, witness: boolean): string | undefined {
  if (typeof v !== 'string' || v === '') {
    add(path, `must be a C2SP ${witness ? 'witness' : 'log'} verifier key name+keyid+base64`);
    return undefined;
  }
  try {
    return parseVerifierKey(v).name;
  } catch (err) {
    add(path, `not a ${witness ? 'witness' : 'log'} verifier key: ${err instanceof Error ? err.message : 'malformed'}`);
    return undefined;
  }
}

/** The trusted key with this key id, or undefined. */
export function findTrustedKey(trust: TrustConfig, keyId: string): TrustedKey | undefined {
  for (const v of trust.vendors) for (const k of v.keys) if (k.keyId === keyId) return k;
  return undefined;
}
