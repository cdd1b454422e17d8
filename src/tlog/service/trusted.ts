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
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { digestEqual } from '../../core/index.js';
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

interface FileShape {
  version: 1;
  logs: Record<string, { size: number; rootHash: string; note: string; updatedAt: string }>;
}

function corrupt(file: string, why: string, cause?: unknown): LogServiceError {
  return new LogServiceError(C.STATE_CORRUPT, `trusted checkpoints file is damaged (${why}); move it aside to start over, losing rollback protection for the logs it remembers`, {
    ...(cause !== undefined ? { cause } : {}),
    location: { file },
  });
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
      if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return { version: 1, logs: {} };
      throw new LogServiceError(C.STATE_CORRUPT, `cannot read the trusted checkpoints file; check its permissions`, { cause: err, location: { file: this.file } });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw corrupt(this.file, 'not JSON', err);
    }
    if (typeof value !== 'object' || value === null || (value as FileShape).version !== 1 || typeof (value as FileShape).logs !== 'object' || (value as FileShape).logs === null) {
      throw corrupt(this.file, 'unexpected shape');
    }
    return value as FileShape;
  }

  /** The remembered checkpoint of a log, if any. */
  get(origin: string): TrustedCheckpoint | undefined {
    const logs = this.read().logs;
    const e = Object.prototype.hasOwnProperty.call(logs, origin) ? logs[origin] : undefined;
    if (e === undefined) return undefined;
    const rootHash = typeof e.rootHash === 'string' ? decodeBase64Strict(e.rootHash) : undefined;
    if (!isIndex(e.size) || rootHash === undefined || rootHash.length !== 32 || typeof e.note !== 'string') throw corrupt(this.file, `bad entry for ${origin}`);
    return { origin, size: e.size, rootHash, note: e.note, updatedAt: String(e.updatedAt) };
  }

  private remember(cp: Checkpoint, note: string): void {
    const data = this.read();
    data.logs[cp.origin] = { size: cp.size, rootHash: cp.rootHash.toString('base64'), note, updatedAt: new Date().toISOString() };
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify(data, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }

  /** Checks a verified checkpoint against memory (see the module comment) and remembers it when newer. */
  async observe(cp: Checkpoint, note: string, options: ObserveOptions): Promise<ObserveResult> {
    const old = this.get(cp.origin);
    if (old === undefined) {
      this.remember(cp, note);
      return { consistency: 'first-use', remembered: { size: cp.size, rootHash: cp.rootHash } };
    }
    const keep = { size: old.size, rootHash: old.rootHash };
    if (cp.size === old.size) {
      if (!digestEqual(cp.rootHash, old.rootHash)) {
        throw new LogServiceError(C.SPLIT_VIEW, `log ${cp.origin} showed two different trees of size ${cp.size}: split view; keep both notes as evidence (remembered one in ${this.file})`, {
          kind: 'verification',
          details: { origin: cp.origin, size: cp.size, remembered: old.rootHash.toString('base64'), presented: cp.rootHash.toString('base64') },
        });
      }
      return { consistency: 'same', remembered: keep };
    }
    if (cp.size < old.size && options.source === 'latest') {
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
      return { consistency: 'unchecked', remembered: keep };
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
    if (cp.size > old.size) {
      this.remember(cp, note);
      return { consistency: 'verified', remembered: { size: cp.size, rootHash: cp.rootHash } };
    }
    return { consistency: 'verified', remembered: keep };
  }
}
