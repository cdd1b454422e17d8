/**
 * The verifying side (`verify --log-key`): check a tlog-proof receipt offline against the
 * entry the verifier rebuilt, the log key and an optional witness quorum, then check the
 * receipt's checkpoint against the verifier's memory (TrustedCheckpoints).
 *
 * Distinct failures: TLOG_RECEIPT_MALFORMED (unreadable), TLOG_RECEIPT_WRONG_KEY (signed by
 * another key), TLOG_RECEIPT_ENTRY_MISMATCH (belongs to another envelope/entry),
 * TLOG_COSIGNATURE_QUORUM, TLOG_SPLIT_VIEW / TLOG_ROLLBACK / TLOG_CONSISTENCY_UNCHECKED.
 * A missing receipt is the caller's to report (it never gets here).
 */
import { leafHash } from '../../core/index.js';
import { openCheckpoint, type Cosignature } from '../checkpoint.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';
import { parseVerifierKey, type NoteVerifier } from '../keys.js';
import { parseTlogProof, verifyTlogProof } from '../receipt.js';
import { provenantHomeDir } from './logdir.js';
import { httpTileFetcher, tileConsistencyProof } from './tile-reader.js';
import { TrustedCheckpoints, type ConsistencyStatus } from './trusted.js';

export interface VerifyReceiptOptions {
  /** The tlog-proof text (e.g. the seal's `.tlog-proof` file). */
  readonly receiptText: string | Uint8Array;
  /** The log entry the verifier rebuilt from the sealed envelope. */
  readonly entryBytes: Uint8Array;
  /** The log's verifier key `name+hexid+base64`. */
  readonly logKey: string;
  /** Trusted witness verifier keys (cosignature/v1). */
  readonly witnesses?: readonly string[];
  /** Distinct named witnesses that must have cosigned (default 0). */
  readonly quorum?: number;
  /**
   * Where the verifier memory lives: a folder (default $PROVENANT_HOME), or false to skip the
   * split-view/rollback check entirely.
   */
  readonly stateDir?: string | false;
  /** The log's URL: lets the check fetch consistency proofs from its tiles. */
  readonly logUrl?: string;
  /** Fail instead of reporting `consistency: 'unchecked'`. */
  readonly requireConsistency?: boolean;
  /** File name for error locations. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** What a verified receipt proves. */
export interface VerifiedReceipt {
  readonly origin: string;
  readonly index: number;
  readonly treeSize: number;
  /** Base64 root hash of the receipt's checkpoint. */
  readonly rootHash: string;
  readonly cosignatures: readonly Cosignature[];
  /** How the checkpoint relates to the remembered one ('not-tracked' when stateDir is false). */
  readonly consistency: ConsistencyStatus | 'not-tracked';
}

/** Verifies a receipt offline; throws a coded error (kind 'verification' for failed checks). */
export async function verifyReceiptOffline(options: VerifyReceiptOptions): Promise<VerifiedReceipt> {
  const log = parseVerifierKey(options.logKey);
  const witnesses: NoteVerifier[] = (options.witnesses ?? []).map((w) => parseVerifierKey(w));
  const fileOpt = options.file === undefined ? {} : { file: options.file };
  const receipt = parseTlogProof(options.receiptText, fileOpt);
  const verified = verifyTlogProof(
    receipt,
    leafHash(options.entryBytes),
    { log, witnesses, ...(options.quorum !== undefined ? { quorum: options.quorum } : {}) },
    fileOpt,
  );
  const cp = verified.checkpoint;
  let consistency: VerifiedReceipt['consistency'] = 'not-tracked';
  if (options.stateDir !== false) {
    const trusted = new TrustedCheckpoints(options.stateDir ?? provenantHomeDir(options.env));
    const logUrl = options.logUrl;
    const observed = await trusted.observe(cp, receipt.checkpoint, {
      source: 'receipt',
      ...(options.requireConsistency !== undefined ? { requireConsistency: options.requireConsistency } : {}),
      ...(logUrl !== undefined ? { proveConsistency: (a: number, b: number) => tileConsistencyProof(httpTileFetcher(logUrl), a, b) } : {}),
    });
    consistency = observed.consistency;
  }
  return {
    origin: cp.origin,
    index: verified.index,
    treeSize: cp.size,
    rootHash: cp.rootHash.toString('base64'),
    cosignatures: verified.cosignatures,
    consistency,
  };
}

/**
 * Fetches a log's latest checkpoint, verifies it with the log key (and witness quorum), and
 * checks it against the verifier memory as the log's current head: a smaller tree is a
 * rollback, and growth is checked with a consistency proof from the log's tiles.
 */
export async function checkLogHead(options: {
  readonly logUrl: string;
  readonly logKey: string;
  readonly witnesses?: readonly string[];
  readonly quorum?: number;
  readonly stateDir?: string;
  readonly env?: NodeJS.ProcessEnv;
}): Promise<{ readonly origin: string; readonly treeSize: number; readonly consistency: ConsistencyStatus }> {
  const log = parseVerifierKey(options.logKey);
  const witnesses = (options.witnesses ?? []).map((w) => parseVerifierKey(w));
  const fetchTile = httpTileFetcher(options.logUrl);
  const base = options.logUrl.replace(/\/+$/, '');
  let note: string;
  try {
    const res = await fetch(`${base}/checkpoint`, { signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    note = await res.text();
  } catch (cause) {
    throw new LogServiceError(C.NETWORK, `cannot fetch the checkpoint of the log at ${options.logUrl}`, { cause, kind: 'internal' });
  }
  const v = openCheckpoint(note, { log, witnesses, ...(options.quorum !== undefined ? { quorum: options.quorum } : {}) });
  const trusted = new TrustedCheckpoints(options.stateDir ?? provenantHomeDir(options.env));
  const r = await trusted.observe(v.checkpoint, note, { source: 'latest', proveConsistency: (a, b) => tileConsistencyProof(fetchTile, a, b) });
  return { origin: v.checkpoint.origin, treeSize: v.checkpoint.size, consistency: r.consistency };
}
