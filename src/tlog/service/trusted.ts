/**
 * Verifier memory: the last checkpoint a verifier trusted, per log origin, in
 * $PROVENANT_HOME/trusted-checkpoints.json (written to a temp file, fsynced, then renamed, so a
 * crash leaves the old or the new file, never half of one).
 *
 * Rules when a verified checkpoint is observed (`remembered` = the stored one):
 *   - nothing remembered                → remember it (trust on first use)
 *   - same size, same root              → fine
 *   - same size, another root           → TLOG_SPLIT_VIEW (always)
 *   - bigger                            → a consistency proof remembered → new is required when
 *                                         one can be obtained (log URL, or passed in); failing →
 *                                         TLOG_SPLIT_VIEW; then the new one is remembered
 *   - smaller, presented as the log's
 *     latest head (source 'latest')     → TLOG_ROLLBACK
 *   - smaller, from a receipt           → an older receipt is normal; consistency new → remembered
 *                                         is checked when a proof can be obtained (failing →
 *                                         TLOG_SPLIT_VIEW); the remembered one stays
 *   - no proof obtainable (offline)     → accepted as `consistency: 'unchecked'`, the remembered
 *                                         checkpoint is NOT replaced; with requireConsistency →
 *                                         TLOG_CONSISTENCY_UNCHECKED
 * Every alarm is kind 'verification' (exit 1); nothing is silently accepted.
 *
 * Concurrency: observe() awaits a consistency proof (network) between reading and writing the
 * memory, so writes are compare-and-set: under an exclusive lock file (`<file>.lock`, O_EXCL,
 * shared by all processes) the memory is re-read and written only if it still holds the head
 * the check was made against; otherwise the check is re-run against the newer stored head, so a
 * concurrent verifier's newer memory is never rolled back.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { digestEqual, parseStrictJson } from '../../core/index.js';
import { decodeBase64Strict, isIndex } from '../encoding.js';
import { LogError } from '../errors.js';
import { verifyConsistency } from '../merkle.js';
import type { Checkpoint } from '../checkpoint.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';

/** File name of the verifier memory inside the Provenant home folder. */
export const TRUSTED_CHECKPOINTS_FILE = 'trusted-checkpoints.json';

/** One remembered checkpoint. */
export interface TrustedCheckpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  /** The signed note, kept as evidence. */
  readonly note: string;
  readonly updatedAt: string;
}

/** How a checkpoint relates to what was remembered. */
export type ConsistencyStatus = 'first-use' | 'same' | 'verified' | 'unchecked';

export interface ObserveOptions {
  /** 'latest': the log presents it as its current head; 'receipt': a historical head. */
  readonly source: 'latest' | 'receipt';
  /** Produces an RFC 9162 consistency proof between two sizes (from the log's tiles, or given). */
  readonly proveConsistency?: (size1: number, size2: number) => Promise<readonly Buffer[]>;
  /** Fail with TLOG_CONSISTENCY_UNCHECKED instead of accepting an unchecked checkpoint. */
  readonly requireConsistency?: boolean;
}

export interface ObserveResult {
  readonly consistency: ConsistencyStatus;
  /** What is remembered after this observation. */
  readonly remembered: { readonly size: number; readonly rootHash: Buffer };
}

interface StoredEntry {
  size: number;
  rootHash: string;
  note: string;
  updatedAt: string;
}

/**
 * In memory the logs are a Map: origins are attacker-chosen strings, and an origin such as
 * `__proto__` used as a plain-object key would set the prototype instead of an entry.
 */
interface FileShape {
  version: 1;
  logs: Map<string, StoredEntry>;
}

/** A lock older than this is left over by a crashed process (the locked section takes milliseconds). */
const LOCK_STALE_MS = 10_000;
/** Give up waiting for the lock after this long (longer than LOCK_STALE_MS, so stale locks are broken first). */
const LOCK_TIMEOUT_MS = 30_000;
/** Re-checks when other verifiers keep updating the memory during our check. */
const MAX_CAS_ATTEMPTS = 16;

function corrupt(file: string, why: string, cause?: unknown): LogServiceError {
  return new LogServiceError(C.STATE_CORRUPT, `trusted checkpoints file is damaged (${why}); move it aside to start over, losing rollback protection for the logs it remembers`, {
    ...(cause !== undefined ? { cause } : {}),
    location: { file },
  });
}

const errCode = (err: unknown): unknown => (typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined);

function sameHead(a: TrustedCheckpoint | undefined, b: TrustedCheckpoint | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.size === b.size && digestEqual(a.rootHash, b.rootHash);
}

/** The verifier's memory of trusted checkpoints, one per log origin. */
export class TrustedCheckpoints {
  readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, TRUSTED_CHECKPOINTS_FILE);
  }

  private read(): FileShape {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if (errCode(err) === 'ENOENT') return { version: 1, logs: new Map() };
      throw new LogServiceError(C.STATE_CORRUPT, `cannot read the trusted checkpoints file; check its permissions`, { cause: err, location: { file: this.file } });
    }
    let value: unknown;
    try {
      value = parseStrictJson(text, { location: { file: this.file } });
    } catch (err) {
      throw corrupt(this.file, 'not JSON, or JSON with duplicate keys', err);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(this.file, 'unexpected shape');
    const top = value as Record<string, unknown>;
    const logs = Object.prototype.hasOwnProperty.call(top, 'logs') ? top['logs'] : undefined;
    if (top['version'] !== 1 || typeof logs !== 'object' || logs === null || Array.isArray(logs)) throw corrupt(this.file, 'unexpected shape');
    // Only own properties count: JSON.parse makes every key (even "__proto__") an own property,
    // and nothing inherited may ever be mistaken for a remembered log.
    const map = new Map<string, StoredEntry>();
    for (const [origin, e] of Object.entries(logs)) {
      if (typeof e !== 'object' || e === null || Array.isArray(e)) throw corrupt(this.file, `bad entry for ${origin}`);
      map.set(origin, e as StoredEntry);
    }
    return { version: 1, logs: map };
  }

  private entry(data: FileShape, origin: string): TrustedCheckpoint | undefined {
    const e = data.logs.get(origin);
    if (e === undefined) return undefined;
    const rootHash = typeof e.rootHash === 'string' ? decodeBase64Strict(e.rootHash) : undefined;
    if (!isIndex(e.size) || rootHash === undefined || rootHash.length !== 32 || typeof e.note !== 'string') throw corrupt(this.file, `bad entry for ${origin}`);
    return { origin, size: e.size, rootHash, note: e.note, updatedAt: String(e.updatedAt) };
  }

  /** The remembered checkpoint of a log, if any. */
  get(origin: string): TrustedCheckpoint | undefined {
    return this.entry(this.read(), origin);
  }

  private write(data: FileShape): void {
    // Object.fromEntries defines own properties, so an origin "__proto__" is written as a key.
    const out = { version: data.version, logs: Object.fromEntries(data.logs) };
    const tmp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify(out, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }

  /** Runs `fn` holding `<file>.lock`, created with O_EXCL so it excludes other processes too. */
  private async withLock<T>(fn: () => T): Promise<T> {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const lock = `${this.file}.lock`;
    const token = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(lock, 'wx', 0o600);
        try {
          writeSync(fd, token);
        } finally {
          closeSync(fd);
        }
        break;
      } catch (err) {
        if (errCode(err) !== 'EEXIST') {
          throw new LogServiceError(C.STATE_LOCKED, `cannot create the lock file of the trusted checkpoints; check the folder's permissions`, { cause: err, location: { file: lock } });
        }
      }
      this.breakStaleLock(lock);
      if (Date.now() - started > LOCK_TIMEOUT_MS) {
        throw new LogServiceError(C.STATE_LOCKED, `the trusted checkpoints are locked by another provenant process; retry, or delete the lock file if no provenant process is running`, {
          location: { file: lock },
        });
      }
      await sleep(Math.min(200, 2 ** Math.min(attempt, 8)) + Math.random() * 5);
    }
    try {
      return fn();
    } finally {
      this.releaseLock(lock, token);
    }
  }

  /** Removes a lock left by a crashed process (mtime older than LOCK_STALE_MS). */
  private breakStaleLock(lock: string): void {
    try {
      const st = statSync(lock);
      if (Date.now() - st.mtimeMs <= LOCK_STALE_MS) return;
      // Re-check just before removing, so a lock re-created meanwhile by a live process is kept
      // (a tiny window remains; the lock only guards against lost updates after a crash).
      const again = statSync(lock);
      if (again.ino === st.ino && again.mtimeMs === st.mtimeMs) unlinkSync(lock);
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw new LogServiceError(C.STATE_LOCKED, `cannot inspect the lock file of the trusted checkpoints; check its permissions`, { cause: err, location: { file: lock } });
    }
  }

  private releaseLock(lock: string, token: string): void {
    try {
      // Only remove our own lock: if it was broken as stale, it may now belong to someone else.
      if (readFileSync(lock, 'utf8') === token) unlinkSync(lock);
    } catch {
      // Already gone: nothing to release.
    }
  }

  /**
   * Compare-and-set: under the lock, writes `cp` only if the memory still holds `expected` (the
   * head the check was made against); otherwise returns what is stored now.
   */
  private async rememberIf(cp: Checkpoint, note: string, expected: TrustedCheckpoint | undefined): Promise<{ written: true } | { written: false; current: TrustedCheckpoint | undefined }> {
    return this.withLock(() => {
      const data = this.read();
      const current = this.entry(data, cp.origin);
      if (!sameHead(current, expected)) return { written: false as const, current };
      data.logs.set(cp.origin, { size: cp.size, rootHash: cp.rootHash.toString('base64'), note, updatedAt: new Date().toISOString() });
      this.write(data);
      return { written: true as const };
    });
  }

  /** Checks a verified checkpoint against memory (see the module comment) and remembers it when newer. */
  async observe(cp: Checkpoint, note: string, options: ObserveOptions): Promise<ObserveResult> {
    let old = this.get(cp.origin);
    let raced = false;
    for (let attempt = 1; ; attempt++) {
      const r = await this.check(cp, old, options, raced);
      if (!r.write) return r.result;
      const set = await this.rememberIf(cp, note, old);
      if (set.written) return r.result;
      if (attempt >= MAX_CAS_ATTEMPTS) {
        throw new LogServiceError(C.STATE_LOCKED, `the trusted checkpoint of ${cp.origin} kept changing while it was being checked; retry`, { location: { file: this.file } });
      }
      // Another verifier stored a head meanwhile: check against that one instead of overwriting it.
      old = set.current;
      raced = true;
    }
  }

  /**
   * The rules of the module comment for `cp` against the remembered `old`. `raced`: `old` was
   * stored by another verifier while `cp` was being checked; `cp` was fetched before that, so a
   * smaller `cp` is an older head (checked like a receipt), not a rollback.
   */
  private async check(cp: Checkpoint, old: TrustedCheckpoint | undefined, options: ObserveOptions, raced: boolean): Promise<{ result: ObserveResult; write: boolean }> {
    if (old === undefined) return { result: { consistency: 'first-use', remembered: { size: cp.size, rootHash: cp.rootHash } }, write: true };
    const keep = { size: old.size, rootHash: old.rootHash };
    if (cp.size === old.size) {
      if (!digestEqual(cp.rootHash, old.rootHash)) {
        throw new LogServiceError(C.SPLIT_VIEW, `log ${cp.origin} showed two different trees of size ${cp.size}: split view; keep both notes as evidence (remembered one in ${this.file})`, {
          kind: 'verification',
          details: { origin: cp.origin, size: cp.size, remembered: old.rootHash.toString('base64'), presented: cp.rootHash.toString('base64') },
        });
      }
      return { result: { consistency: 'same', remembered: keep }, write: false };
    }
    if (cp.size < old.size && options.source === 'latest' && !raced) {
      throw new LogServiceError(C.ROLLBACK, `log ${cp.origin} presents size ${cp.size} as its latest tree, but size ${old.size} was already trusted: rollback`, {
        kind: 'verification',
        details: { origin: cp.origin, size: cp.size, remembered: old.size },
      });
    }
    const [small, big] = cp.size < old.size ? [cp, old] : [old, cp];
    let proof: readonly Buffer[] | undefined;
    if (small.size === 0) proof = []; // every tree extends the empty tree
    else if (options.proveConsistency !== undefined) proof = await options.proveConsistency(small.size, big.size);
    if (proof === undefined) {
      if (options.requireConsistency === true) {
        throw new LogServiceError(C.CONSISTENCY_UNCHECKED, `cannot check that log ${cp.origin} at size ${cp.size} is consistent with the trusted size ${old.size} without access to the log; pass its URL or drop the requirement`, {
          kind: 'verification',
          details: { origin: cp.origin, size: cp.size, remembered: old.size },
        });
      }
      return { result: { consistency: 'unchecked', remembered: keep }, write: false };
    }
    if (small.size > 0) {
      try {
        verifyConsistency(small.size, big.size, proof, small.rootHash, big.rootHash);
      } catch (err) {
        if (err instanceof LogError) {
          throw new LogServiceError(C.SPLIT_VIEW, `log ${cp.origin} at size ${cp.size} is not consistent with the trusted size ${old.size}: split view or rewritten history (${err.message})`, {
            kind: 'verification',
            cause: err,
            details: { origin: cp.origin, size: cp.size, remembered: old.size },
          });
        }
        throw err;
      }
    }
    if (cp.size > old.size) return { result: { consistency: 'verified', remembered: { size: cp.size, rootHash: cp.rootHash } }, write: true };
    return { result: { consistency: 'verified', remembered: keep }, write: false };
  }
}
