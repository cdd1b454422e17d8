/**
 * Logging a sealed delivery and checking its receipt offline (issue 3). The log entry holds
 * digests only (DSSE envelope digest, subject digests, record root); vendor and client appear as
 * salted commitments whose salts stay in the seal directory, so the public log reveals no business
 * relationship while anyone holding the seal can re-derive the entry.
 *
 * Seal directory files: `log-entry.json` ({entry, vendorSalt, clientSalt}) and `log.tlog-proof`
 * (C2SP tlog-proof: inclusion proof + signed checkpoint). Both are written atomically.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { digestEqual, parseStrictJson, sha256Hex } from '../core/index.js';
import { BUNDLE_NAME, envelopeSha256, parseBundle, parseDeliveryStatement, type ParsedBundle } from '../seal/index.js';
import { LOG_ERROR_CODES, LogError } from './errors.js';
import { LogServiceError, LOG_SERVICE_ERROR_CODES as C } from './service/errors.js';
import { commitName, encodeLogEntry, generateCommitmentSalt } from './service/entry.js';
import { submitEntry, type SubmitOptions } from './service/client.js';
import { verifyReceiptOffline, type VerifiedReceipt, type VerifyReceiptOptions } from './service/verify.js';

export const RECEIPT_NAME = 'log.tlog-proof';
export const LOG_ENTRY_NAME = 'log-entry.json';

/** Receipts are small (a checkpoint and ≤ 64 hashes); the parser refuses more than 1 MiB anyway. */
const MAX_RECEIPT_FILE_BYTES = 1 << 20;
/** log-entry.json holds a digest-only entry and two salts: a few hundred bytes. */
const MAX_ENTRY_FILE_BYTES = 64 << 10;

interface EntryFile {
  readonly entry: string;
  readonly vendorSalt: string;
  readonly clientSalt: string;
}

/** Builds the digest-only log entry of a sealed bundle with the given commitment salts. */
export function sealLogEntry(bundle: ParsedBundle, salts: { vendor: Uint8Array; client: Uint8Array }): Buffer {
  const st = parseDeliveryStatement(bundle.envelope.payload);
  const p = st.predicate;
  return encodeLogEntry({
    envelope: envelopeSha256(bundle.envelope),
    subjects: st.subject.map((s) => s.digest['sha256'] ?? ''),
    recordRoot: p.recordRoot,
    vendor: commitName(p.vendor, salts.vendor),
    client: commitName(p.client, salts.client),
  });
}

async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, data, { mode: 0o644 });
  await rename(tmp, path);
}

/** Why a bounded read failed; 'missing' only for ENOENT, every other I/O error is 'unreadable'. */
type BoundedRead = { readonly ok: Buffer } | { readonly error: 'missing' | 'not-regular' | 'too-large' | 'unreadable'; readonly cause?: unknown };

/**
 * Reads at most `limit` bytes of a regular file. The handle is opened first and checked with
 * fstat, so a FIFO or device (which could block or never end) is refused, and at most limit + 1
 * bytes are read whatever the file claims its size is (it may grow while being read).
 */
async function readBounded(path: string, limit: number): Promise<BoundedRead> {
  let fh: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer before fstat can refuse it.
    fh = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (cause) {
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
    return { error: code === 'ENOENT' ? 'missing' : 'unreadable', cause };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { error: 'not-regular' };
    if (st.size > limit) return { error: 'too-large' };
    const buf = Buffer.alloc(limit + 1);
    let used = 0;
    while (used < buf.length) {
      const { bytesRead } = await fh.read(buf, used, buf.length - used, used);
      if (bytesRead === 0) break;
      used += bytesRead;
    }
    if (used > limit) return { error: 'too-large' };
    return { ok: buf.subarray(0, used) };
  } catch (cause) {
    return { error: 'unreadable', cause };
  } finally {
    await fh.close();
  }
}

async function readEntryFile(sealDir: string): Promise<EntryFile | undefined> {
  const path = join(sealDir, LOG_ENTRY_NAME);
  const read = await readBounded(path, MAX_ENTRY_FILE_BYTES);
  if ('error' in read) {
    if (read.error === 'missing') return undefined;
    const why = read.error === 'too-large' ? `is larger than ${MAX_ENTRY_FILE_BYTES} bytes` : read.error === 'not-regular' ? 'is not a regular file' : 'cannot be read';
    throw new LogServiceError(C.SEAL_ENTRY_MISMATCH, `${LOG_ENTRY_NAME} ${why}; the seal directory was altered or is damaged`, {
      kind: 'verification',
      location: { file: path },
      ...(read.cause !== undefined ? { cause: read.cause } : {}),
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.ok);
  } catch (cause) {
    throw new LogServiceError(C.SEAL_ENTRY_MISMATCH, `${LOG_ENTRY_NAME} is not valid UTF-8; the seal directory was altered`, { kind: 'verification', location: { file: path }, cause });
  }
  const v = parseStrictJson(text, { location: { file: path } });
  const o = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  const hex64 = (x: unknown): x is string => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);
  if (typeof o['entry'] !== 'string' || !hex64(o['vendorSalt']) || !hex64(o['clientSalt']) || Object.keys(o).length !== 3) {
    throw new LogServiceError(C.SEAL_ENTRY_MISMATCH, `${LOG_ENTRY_NAME} must be {entry, vendorSalt, clientSalt}; the seal directory was altered`, { kind: 'verification', location: { file: path } });
  }
  return { entry: o['entry'], vendorSalt: o['vendorSalt'], clientSalt: o['clientSalt'] };
}

export interface LogSealResult {
  readonly index: number;
  readonly treeSize: number;
  readonly receiptPath: string;
  readonly entrySha256Hex: string;
}

/**
 * Submits a seal's entry to a log (an http(s) URL or a local log directory) and writes the
 * receipt into the seal directory. Re-running reuses the stored salts, so the entry is stable.
 */
export async function logSeal(options: { readonly sealDir: string; readonly target: string } & SubmitOptions): Promise<LogSealResult> {
  const { sealDir, target, ...submit } = options;
  const bundle = parseBundle(await readFile(join(sealDir, BUNDLE_NAME)), join(sealDir, BUNDLE_NAME));
  const existing = await readEntryFile(sealDir);
  const salts = existing
    ? { vendor: Buffer.from(existing.vendorSalt, 'hex'), client: Buffer.from(existing.clientSalt, 'hex') }
    : { vendor: generateCommitmentSalt(), client: generateCommitmentSalt() };
  const entry = sealLogEntry(bundle, salts);
  if (!existing) {
    const file: EntryFile = { entry: entry.toString('utf8'), vendorSalt: salts.vendor.toString('hex'), clientSalt: salts.client.toString('hex') };
    await writeAtomic(join(sealDir, LOG_ENTRY_NAME), JSON.stringify(file, null, 2) + '\n');
  }
  const res = await submitEntry(target, entry, submit);
  const receiptPath = join(sealDir, RECEIPT_NAME);
  await writeAtomic(receiptPath, res.receipt);
  return { index: res.index, treeSize: res.treeSize, receiptPath, entrySha256Hex: sha256Hex(entry) };
}

export type VerifySealReceiptOptions = {
  readonly sealDir: string;
  /**
   * The bundle bytes that verification authenticated (VerifyOptions.onAuthenticated): the entry is
   * rebuilt from them rather than from the seal directory, which could have been swapped since.
   */
  readonly bundle?: Buffer;
} & Omit<VerifyReceiptOptions, 'receiptText' | 'entryBytes' | 'file'>;

/**
 * Checks offline that a seal was logged: rebuilds the entry from the (already authenticated)
 * bundle and the stored salts, then verifies the receipt's inclusion proof and checkpoint
 * signature against the log key, any witness quorum, and the verifier's checkpoint memory.
 * Distinct codes: TLOG_RECEIPT_MISSING, TLOG_SEAL_ENTRY_MISMATCH, TLOG_RECEIPT_ENTRY_MISMATCH
 * (receipt of another envelope), TLOG_RECEIPT_WRONG_KEY (signed by another log).
 */
export async function verifySealReceipt(options: VerifySealReceiptOptions): Promise<VerifiedReceipt> {
  const { sealDir, bundle: authenticated, ...rest } = options;
  const receiptPath = join(sealDir, RECEIPT_NAME);
  const read = await readBounded(receiptPath, MAX_RECEIPT_FILE_BYTES);
  if ('error' in read) {
    if (read.error === 'missing') {
      throw new LogServiceError(C.RECEIPT_MISSING, `no log receipt (${RECEIPT_NAME}) in the seal directory; the delivery was not logged — ask the vendor to seal with --log`, { kind: 'verification', location: { file: sealDir } });
    }
    const why = read.error === 'too-large' ? `is larger than ${MAX_RECEIPT_FILE_BYTES} bytes` : read.error === 'not-regular' ? 'is not a regular file' : 'cannot be read (check its permissions)';
    throw new LogError(LOG_ERROR_CODES.RECEIPT_MALFORMED, `log receipt ${why}; ask the vendor for the receipt of this delivery`, {
      location: { file: receiptPath },
      ...(read.cause !== undefined ? { cause: read.cause } : {}),
    });
  }
  const receiptText = read.ok;
  const stored = await readEntryFile(sealDir);
  if (!stored) {
    throw new LogServiceError(C.RECEIPT_MISSING, `the seal directory has a receipt but no ${LOG_ENTRY_NAME}; the entry cannot be rebuilt`, { kind: 'verification', location: { file: sealDir } });
  }
  const bundle = parseBundle(authenticated ?? (await readFile(join(sealDir, BUNDLE_NAME))), join(sealDir, BUNDLE_NAME));
  const rebuilt = sealLogEntry(bundle, { vendor: Buffer.from(stored.vendorSalt, 'hex'), client: Buffer.from(stored.clientSalt, 'hex') });
  if (!digestEqual(rebuilt, Buffer.from(stored.entry, 'utf8'))) {
    throw new LogServiceError(C.SEAL_ENTRY_MISMATCH, `${LOG_ENTRY_NAME} does not match the sealed envelope; the seal directory was altered`, { kind: 'verification', location: { file: join(sealDir, LOG_ENTRY_NAME) } });
  }
  return verifyReceiptOffline({ ...rest, receiptText, entryBytes: rebuilt, file: receiptPath });
}
