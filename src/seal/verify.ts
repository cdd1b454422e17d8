/**
 * verifyDelivery: checks a delivery against its seal and, on mismatch, names exactly which records
 * were modified, inserted or deleted. Checks, in order (the first five stop verification, since
 * nothing after them can be trusted): bundle (media type, shape), DSSE payloadType, signature with
 * the given key, statement and predicate types and validity, sidecar digest and roots; then the
 * file set (missing, extra, renamed), sizes, SHA-256 and per-file record roots, with a record diff
 * for each changed file.
 *
 * Unusable inputs (no seal directory, no bundle, unreadable key) throw an 'input' SealError
 * (exit 2); everything that fails a check is returned in `errors` (exit 1).
 */
import type { KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { digestEqual, MerkleAccumulator, ProvenantError } from '../core/index.js';
import { computeRecordRoots, createScanPool, scanFile, type FileScan, type RecordFormat, type ScanPool } from '../records/index.js';
import { diffDigests } from './diff.js';
import { MAX_BUNDLE_BYTES, readSealFile } from './io.js';
import { SealError, type SealErrorCode } from './errors.js';
import { keyIdOf, toPublicKey } from './keys.js';
import { openSeal } from './open.js';
import { BUNDLE_NAME } from './seal.js';
import { parseSidecar, type Sidecar, type SidecarFile } from './sidecar.js';
import type { DeliveryFile, DeliveryStatement } from './statement.js';
import { walkDelivery, type WalkedFile } from './walk.js';

export interface VerifyIssue {
  readonly code: SealErrorCode;
  readonly message: string;
  readonly file?: string;
  readonly index?: number;
  readonly line?: number;
  readonly row?: number;
}

/** A record named by the diff: `index` is in the sealed file (deleted, modified) or the delivered file (inserted). */
export interface RecordRef {
  readonly file: string;
  readonly index: number;
  readonly line?: number;
  readonly row?: number;
  /** For modified records: the index in the delivered file (differs after earlier insertions/deletions). */
  readonly newIndex?: number;
}

export interface VerifyDiff {
  readonly modified: RecordRef[];
  readonly inserted: RecordRef[];
  readonly deleted: RecordRef[];
  /** Files whose records are all present but in another order (index: first differing record). */
  readonly reordered: RecordRef[];
  /** True when a file changed so much that the diff is a multiset comparison (no modified pairs). */
  approximate: boolean;
}

export type FileStatus = 'ok' | 'changed' | 'missing' | 'extra' | 'renamed' | 'unreadable';

export interface FileReport {
  readonly path: string;
  readonly status: FileStatus;
  readonly sealedRecords?: number;
  readonly records?: number;
  /** For renamed files: the name it was sealed under. */
  readonly sealedAs?: string;
}

export interface StatementSummary {
  readonly deliveryId: string;
  readonly vendor: string;
  readonly client: string;
  readonly sealedAt: string;
  readonly files: number;
  readonly records: number;
  readonly bytes: number;
  readonly recordRoot: string;
  readonly recordSetRoot: string;
  readonly tool: { readonly name: string; readonly version: string };
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly errors: VerifyIssue[];
  readonly diff: VerifyDiff;
  readonly files: FileReport[];
  readonly keyId: string;
  readonly statement?: StatementSummary;
  /** Record changes left out of `errors` by maxRecordErrors (all are in `diff`). */
  readonly suppressedRecordErrors?: number;
  /**
   * Files present in the delivery but left out by the signed --exclude patterns: not sealed, so
   * not verified. Named so nothing is skipped silently (a pipeline that reads the whole directory
   * would take them in).
   */
  readonly excluded?: readonly string[];
}

export interface VerifyOptions {
  /** The delivered file or directory. */
  readonly path: string;
  /** The seal directory (holding bundle.sigstore.json and the sidecar). */
  readonly seal: string;
  /** The vendor's public key (SPKI PEM text/bytes or KeyObject). */
  readonly key: string | Buffer | KeyObject;
  /** Overrides the signed per-file record format (rarely needed). */
  readonly format?: RecordFormat;
  readonly pool?: ScanPool;
  readonly onProgress?: (p: { file: string; filesDone: number; filesTotal: number }) => void;
  /** Cap on per-record entries in `errors` (the diff stays complete). Default 1000. */
  readonly maxRecordErrors?: number;
  /**
   * Receives the exact bundle and sidecar bytes that were authenticated (signature, statement,
   * sidecar digest and roots), before the delivery's files are checked. Later steps (log receipt,
   * store registration) must use these bytes rather than read the seal directory again, which
   * could have been swapped in between.
   */
  readonly onAuthenticated?: (seal: AuthenticatedSeal) => void;
}

/** The seal files as they were when verification authenticated them. */
export interface AuthenticatedSeal {
  readonly bundle: Buffer;
  readonly sidecar: Buffer;
}

const emptyDiff = (): VerifyDiff => ({ modified: [], inserted: [], deleted: [], reordered: [], approximate: false });

function issueOf(err: SealError): VerifyIssue {
  const loc = err.location;
  return {
    code: err.code,
    message: err.message,
    ...(loc?.file !== undefined ? { file: loc.file } : {}),
    ...(loc?.line !== undefined ? { line: loc.line } : {}),
    ...(loc?.row !== undefined ? { row: loc.row } : {}),
  };
}

function pos(kind: 'line' | 'row', positions: Uint32Array, i: number): { line: number } | { row: number } | Record<string, never> {
  const v = positions[i];
  if (v === undefined) return {};
  return kind === 'line' ? { line: v } : { row: v };
}


async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function rootOf(digests: Buffer): string {
  const acc = new MerkleAccumulator();
  for (let i = 0; i < digests.length; i += 32) acc.push(digests.subarray(i, i + 32));
  return acc.root().toString('hex');
}

/** Checks the sidecar against the signed predicate; returns it, or the failure. */
async function checkSidecar(sealDir: string, st: DeliveryStatement, pool: ScanPool): Promise<{ sidecar: Sidecar; bytes: Buffer } | SealError> {
  const pr = st.predicate;
  const name = pr.sidecar.name;
  const v = (code: SealErrorCode, msg: string): SealError => new SealError(code, msg, { kind: 'verification', location: { file: name } });
  let buf: Buffer;
  try {
    // Bounded read: a sidecar far bigger than the signed size is an edited one (a swapped seal's
    // sidecar is still read, within the slack, so the swap can be named).
    buf = await readSealFile(join(sealDir, name), 'record sidecar', pr.sidecar.size + MAX_BUNDLE_BYTES);
  } catch (err) {
    if (err instanceof SealError && err.code === 'SEAL_FILE_TOO_LARGE') return v('SEAL_SIDECAR_DIGEST', `${err.message}: the sidecar was edited`);
    return v('SEAL_SIDECAR_MISSING', `the record sidecar ${name} is missing from ${sealDir}; ask the vendor for the complete seal directory`);
  }
  const sha = createHash('sha256').update(buf).digest();
  if (!digestEqual(sha, Buffer.from(pr.sidecar.sha256, 'hex'))) {
    let sc: Sidecar;
    try {
      sc = parseSidecar(buf, name);
    } catch (err) {
      return err as SealError;
    }
    if (sc.deliveryId !== pr.deliveryId || sc.recordRoot !== pr.recordRoot) {
      return v('SEAL_STATEMENT_SWAPPED', `the signed statement is for delivery ${pr.deliveryId} (recordRoot ${pr.recordRoot.slice(0, 12)}…) but this seal's sidecar is for ${sc.deliveryId} (${sc.recordRoot.slice(0, 12)}…): the bundle was replaced`);
    }
    return v('SEAL_SIDECAR_DIGEST', `${name} has SHA-256 ${sha.toString('hex')}, the signed statement says ${pr.sidecar.sha256}: the sidecar was edited`);
  }
  let sc: Sidecar;
  try {
    sc = parseSidecar(buf, name);
  } catch (err) {
    return err as SealError;
  }
  // The sidecar is the signed one; it must also agree with the signed roots (a vendor-side bug
  // or a forged seal otherwise).
  const mismatch = (msg: string): SealError => v('SEAL_SIDECAR_ROOT', `${name} disagrees with the signed statement: ${msg}`);
  if (sc.files.length !== pr.files.length) return mismatch(`${sc.files.length} files vs ${pr.files.length}`);
  for (const [i, f] of pr.files.entries()) {
    const s = sc.files[i] as SidecarFile;
    if (s.path !== f.path) return mismatch(`file ${i} is ${s.path}, statement says ${f.path}`);
    if (s.positions.length !== f.records) return mismatch(`${f.path} has ${s.positions.length} records, statement says ${f.records}`);
    if (rootOf(s.digests) !== f.recordRoot) return mismatch(`${f.path} record root differs`);
  }
  const roots = await computeRecordRoots(Buffer.concat(sc.files.map((f) => f.digests)), { pool });
  if (roots.recordRoot !== pr.recordRoot || sc.recordRoot !== pr.recordRoot) return mismatch('the delivery recordRoot differs');
  if (roots.recordSetRoot !== pr.recordSetRoot) return mismatch('the delivery recordSetRoot differs');
  return { sidecar: sc, bytes: buf };
}

/** Verifies a delivery against its seal with the vendor's public key. */
export async function verifyDelivery(options: VerifyOptions): Promise<VerifyResult> {
  const publicKey = toPublicKey(options.key);
  const keyId = keyIdOf(publicKey);
  try {
    const s = await stat(options.seal);
    if (!s.isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new SealError('SEAL_INPUT_MISSING', `seal directory ${options.seal} does not exist or is not a directory; pass --seal DIR as written by provenant seal`, { location: { file: options.seal }, cause: err });
  }
  const bundleText = await readSealFile(join(options.seal, BUNDLE_NAME), 'bundle', MAX_BUNDLE_BYTES);
  const errors: VerifyIssue[] = [];
  const diff = emptyDiff();
  const files: FileReport[] = [];
  const fatal = (err: unknown): VerifyResult => {
    if (err instanceof SealError && err.kind === 'verification') return { ok: false, errors: [issueOf(err)], diff, files, keyId };
    throw err;
  };

  let st: DeliveryStatement;
  try {
    st = openSeal(bundleText, publicKey, BUNDLE_NAME).statement;
  } catch (err) {
    return fatal(err);
  }
  const pr = st.predicate;
  const summary: StatementSummary = {
    deliveryId: pr.deliveryId,
    vendor: pr.vendor,
    client: pr.client,
    sealedAt: pr.sealedAt,
    files: pr.counts.files,
    records: pr.counts.records,
    bytes: pr.counts.bytes,
    recordRoot: pr.recordRoot,
    recordSetRoot: pr.recordSetRoot,
    tool: pr.tool,
  };

  const ownPool = options.pool ? undefined : createScanPool();
  const pool = (options.pool ?? ownPool) as ScanPool;
  try {
    const checked = await checkSidecar(options.seal, st, pool);
    if (checked instanceof SealError) return { ...fatal(checked), statement: summary };
    const sc = checked.sidecar;
    options.onAuthenticated?.({ bundle: bundleText, sidecar: checked.bytes });

    // File set.
    const walk = await walkDelivery(options.path, pr.exclude, true);
    for (const p of walk.problems) errors.push(issueOf(p));
    const actual = new Map<string, WalkedFile>(walk.files.map((f) => [f.path, f]));
    const sealed = new Map<string, DeliveryFile>(pr.files.map((f) => [f.path, f]));
    const missing = pr.files.filter((f) => !actual.has(f.path));
    const extra = walk.files.filter((f) => !sealed.has(f.path));
    const renamedFrom = new Map<string, string>();
    for (const m of missing) {
      for (const e of extra) {
        if (renamedFrom.has(e.path) || e.size !== m.size) continue;
        if ((await fileSha256(e.absPath)) === m.sha256) {
          renamedFrom.set(e.path, m.path);
          break;
        }
      }
    }
    const renamedSources = new Set(renamedFrom.values());
    for (const m of missing) {
      if (renamedSources.has(m.path)) continue;
      errors.push({ code: 'SEAL_FILE_MISSING', message: `${m.path} was sealed (${m.records} records) but is missing from the delivery`, file: m.path });
      files.push({ path: m.path, status: 'missing', sealedRecords: m.records });
    }
    for (const e of extra) {
      const from = renamedFrom.get(e.path);
      if (from !== undefined) {
        errors.push({ code: 'SEAL_FILE_RENAMED', message: `${e.path} is the sealed file ${from} under another name`, file: e.path });
        files.push({ path: e.path, status: 'renamed', sealedAs: from });
      } else {
        errors.push({ code: 'SEAL_FILE_EXTRA', message: `${e.path} is in the delivery but was not sealed`, file: e.path });
        files.push({ path: e.path, status: 'extra' });
      }
    }

    // Content of every sealed file that is present.
    const maxRecordErrors = options.maxRecordErrors ?? 1000;
    let recordErrors = 0;
    let suppressed = 0;
    const recordIssue = (i: VerifyIssue): void => {
      if (recordErrors < maxRecordErrors) {
        errors.push(i);
        recordErrors++;
      } else suppressed++;
    };
    const present = pr.files.filter((f) => actual.has(f.path));
    for (const [n, f] of present.entries()) {
      const w = actual.get(f.path) as WalkedFile;
      const scIdx = pr.files.indexOf(f);
      const old = sc.files[scIdx] as SidecarFile;
      let scan: FileScan;
      try {
        scan = await scanFile(w.absPath, { file: f.path, format: options.format ?? f.format, pool });
      } catch (err) {
        if (!(err instanceof ProvenantError) || err.kind === 'internal') throw err;
        if (w.size < f.size) errors.push({ code: 'SEAL_FILE_TRUNCATED', message: `${f.path} is ${w.size} bytes, sealed ${f.size}, and ends in an unreadable record: it was truncated`, file: f.path });
        const loc = err.location;
        errors.push({
          code: 'SEAL_RECORD_PARSE',
          message: `${f.path}: ${err.code}: ${err.message}`,
          file: f.path,
          ...(loc?.line !== undefined ? { line: loc.line } : {}),
          ...(loc?.row !== undefined ? { row: loc.row } : {}),
        });
        files.push({ path: f.path, status: 'unreadable', sealedRecords: f.records });
        continue;
      }
      options.onProgress?.({ file: f.path, filesDone: n + 1, filesTotal: present.length });
      const same = scan.size === f.size && scan.sha256 === f.sha256 && scan.recordRoot === f.recordRoot;
      if (same) {
        files.push({ path: f.path, status: 'ok', sealedRecords: f.records, records: scan.records });
        continue;
      }
      files.push({ path: f.path, status: 'changed', sealedRecords: f.records, records: scan.records });
      const d = diffDigests(old.digests, scan.digests);
      if (d.approximate) diff.approximate = true;
      const tailOnly = d.modified.length === 0 && d.inserted.length === 0 && d.deleted.length > 0 && d.deleted.every((i, k) => i === scan.records + k);
      if (scan.size < f.size && tailOnly) {
        errors.push({ code: 'SEAL_FILE_TRUNCATED', message: `${f.path} is ${scan.size} bytes, sealed ${f.size}: it was truncated after record ${scan.records} (${d.deleted.length} records lost)`, file: f.path });
      } else if (scan.size !== f.size) {
        errors.push({ code: 'SEAL_FILE_SIZE', message: `${f.path} is ${scan.size} bytes, sealed ${f.size}`, file: f.path });
      } else if (scan.sha256 !== f.sha256) {
        errors.push({ code: 'SEAL_FILE_DIGEST', message: `${f.path} has SHA-256 ${scan.sha256}, sealed ${f.sha256}${scan.recordRoot === f.recordRoot ? ' (its records are unchanged: only formatting differs)' : ''}`, file: f.path });
      }
      if (d.reorderedAt !== undefined) {
        const ref = { file: f.path, index: d.reorderedAt, ...pos(old.positionKind, old.positions, d.reorderedAt) };
        diff.reordered.push(ref);
        errors.push({ code: 'SEAL_RECORDS_REORDERED', message: `${f.path}: the same ${f.records} records are present in another order, from sealed record ${d.reorderedAt}`, ...ref });
        continue;
      }
      for (const [o, nIdx] of d.modified) {
        const ref = { file: f.path, index: o, newIndex: nIdx, ...pos(scan.positionKind, scan.positions, nIdx) };
        diff.modified.push(ref);
        recordIssue({ code: 'SEAL_RECORD_MODIFIED', message: `${f.path}: record ${o} was modified`, file: f.path, index: o, ...pos(scan.positionKind, scan.positions, nIdx) });
      }
      for (const nIdx of d.inserted) {
        const ref = { file: f.path, index: nIdx, ...pos(scan.positionKind, scan.positions, nIdx) };
        diff.inserted.push(ref);
        recordIssue({ code: 'SEAL_RECORD_INSERTED', message: `${f.path}: record ${nIdx} was inserted`, ...ref });
      }
      for (const o of d.deleted) {
        const ref = { file: f.path, index: o, ...pos(old.positionKind, old.positions, o) };
        diff.deleted.push(ref);
        recordIssue({ code: 'SEAL_RECORD_DELETED', message: `${f.path}: sealed record ${o} was deleted`, ...ref });
      }
      if (d.modified.length + d.inserted.length + d.deleted.length === 0 && scan.recordRoot !== f.recordRoot) {
        errors.push({ code: 'SEAL_FILE_RECORD_ROOT', message: `${f.path}: record root ${scan.recordRoot} differs from the sealed ${f.recordRoot}`, file: f.path });
      }
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      ok: errors.length === 0,
      errors,
      diff,
      files,
      keyId,
      statement: summary,
      ...(suppressed > 0 ? { suppressedRecordErrors: suppressed } : {}),
      ...(walk.excluded.length > 0 ? { excluded: [...walk.excluded] } : {}),
    };
  } finally {
    await ownPool?.close();
  }
}
