/**
 * A log directory: the files `provenant log init` writes and `log serve` reads.
 *
 *   log.key    the Ed25519 note signer key (PRIVATE+KEY+...), mode 0600
 *   log.vkey   the verifier key `name+hexid+base64`, to hand to verifiers
 *   log.db     the store (its driver is injected: tlog/ does not depend on store/)
 *
 * Witness directories hold witness.key (a cosignature/v1 key) and witness.db the same way.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateNoteKey, isValidKeyName, parseSignerKey, SIG_TYPE_COSIGNATURE_V1, type KeyedNoteSigner } from '../keys.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';
import { createLogSequencer } from './sequencer.js';
import type { OpenLogStorage } from './storage.js';

export const LOG_KEY_FILE = 'log.key';
export const LOG_VKEY_FILE = 'log.vkey';
export const LOG_DB_FILE = 'log.db';
export const WITNESS_KEY_FILE = 'witness.key';
export const WITNESS_DB_FILE = 'witness.db';

/** The Provenant home folder: PROVENANT_HOME when set and non-empty, else ./.provenant. */
export function provenantHomeDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['PROVENANT_HOME'];
  return resolve(home !== undefined && home !== '' ? home : '.provenant');
}

/** Default log directory: $PROVENANT_HOME/log. */
export function defaultLogDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(provenantHomeDir(env), 'log');
}

/** Default witness directory: $PROVENANT_HOME/witness. */
export function defaultWitnessDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(provenantHomeDir(env), 'witness');
}

/** An opened log directory. */
export interface LogDir {
  readonly dir: string;
  readonly origin: string;
  readonly signer: KeyedNoteSigner;
  readonly verifierKey: string;
  readonly storagePath: string;
}

function writePrivate(file: string, text: string): void {
  // 'wx': never overwrite a key; mode 0600: the private key is the log's identity.
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
}

/** Creates a log: key pair, empty store with its size-0 checkpoint. Returns the verifier key. */
export async function initLogDir(options: { readonly dir: string; readonly origin: string; readonly openStorage: OpenLogStorage }): Promise<LogDir> {
  const dir = resolve(options.dir);
  if (!isValidKeyName(options.origin)) {
    throw new LogServiceError(C.ENTRY_MALFORMED, `origin ${JSON.stringify(options.origin)} is invalid: use a non-empty name without spaces or '+', e.g. example.com/provenant-log`, {
      details: { reason: 'origin' },
    });
  }
  if (existsSync(join(dir, LOG_KEY_FILE)) || existsSync(join(dir, LOG_DB_FILE))) {
    throw new LogServiceError(C.LOG_EXISTS, `a log already exists in ${dir}; pick another --dir or remove it first`, { location: { file: dir } });
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { signerKey, verifierKey } = generateNoteKey(options.origin);
  writePrivate(join(dir, LOG_KEY_FILE), `${signerKey}\n`);
  writeFileSync(join(dir, LOG_VKEY_FILE), `${verifierKey}\n`, { mode: 0o644 });
  const opened = readLogDir(dir);
  const storage = await options.openStorage(dir);
  try {
    await createLogSequencer({ storage, signer: opened.signer });
  } finally {
    await storage.close();
  }
  return opened;
}

/** Reads a log directory's key; throws TLOG_LOG_NOT_FOUND when there is none. */
export function readLogDir(dirPath: string): LogDir {
  const dir = resolve(dirPath);
  const keyFile = join(dir, LOG_KEY_FILE);
  let text: string;
  try {
    text = readFileSync(keyFile, 'utf8');
  } catch (cause) {
    throw new LogServiceError(C.LOG_NOT_FOUND, `no log in ${dir} (missing ${LOG_KEY_FILE}); create one with 'provenant log init --origin ORIGIN --dir ${dirPath}'`, {
      cause,
      location: { file: keyFile },
    });
  }
  const signer = parseSignerKey(text.trim());
  return { dir, origin: signer.name, signer, verifierKey: signer.verifierKey, storagePath: join(dir, LOG_DB_FILE) };
}

/** Reads the witness key of a directory, creating one named `name` on first use. */
export function readOrCreateWitnessKey(dirPath: string, name: string): KeyedNoteSigner {
  const dir = resolve(dirPath);
  const file = join(dir, WITNESS_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writePrivate(file, `${generateNoteKey(name, SIG_TYPE_COSIGNATURE_V1).signerKey}\n`);
  }
  return parseSignerKey(readFileSync(file, 'utf8').trim());
}
