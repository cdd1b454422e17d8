/**
 * The submitting side (`seal --log URL|PATH`): add an entry to a log and return a C2SP
 * tlog-proof receipt (inclusion proof plus the signed checkpoint that contains the entry).
 *
 * A URL target goes through POST /add and the log's tiles; a directory target appends through
 * the log's store with the same sequencer (one atomic batch; a concurrent server on the same
 * store makes the batch retry, never interleave).
 */
import { leafHash } from '../../core/index.js';
import { parseCheckpoint } from '../checkpoint.js';
import { verifyInclusion } from '../merkle.js';
import { parseNote } from '../note.js';
import { formatTlogProof } from '../receipt.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';
import { readLogDir } from './logdir.js';
import { storedInclusionProof } from './nodes.js';
import { createLogSequencer } from './sequencer.js';
import type { OpenLogStorage } from './storage.js';
import { httpTileFetcher, tileInclusionProof } from './tile-reader.js';

export interface SubmitOptions {
  /** Opens a log directory's store (required for a PATH target; e.g. the SQLite driver). */
  readonly openStorage?: OpenLogStorage;
  /** How long to wait for the server (default 30 s). */
  readonly timeoutMs?: number;
}

/** What submitEntry returns. */
export interface SubmitResult {
  readonly index: number;
  /** Size of the checkpoint in the receipt. */
  readonly treeSize: number;
  /** The C2SP tlog-proof text to store beside the seal. */
  readonly receipt: string;
}

/** True when `target` is an http(s) URL rather than a directory. */
export function isLogUrl(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

/** Adds `entry` to the log at `target` (URL or directory) and returns its receipt. */
export async function submitEntry(target: string, entry: Uint8Array, options: SubmitOptions = {}): Promise<SubmitResult> {
  return isLogUrl(target) ? submitHttp(target, entry, options) : submitLocal(target, entry, options);
}

async function submitLocal(dir: string, entry: Uint8Array, options: SubmitOptions): Promise<SubmitResult> {
  if (options.openStorage === undefined) throw new LogServiceError(C.LOG_NOT_FOUND, 'logging to a directory needs a storage driver (openStorage)', { kind: 'internal' });
  const log = readLogDir(dir);
  const storage = await options.openStorage(log.dir);
  try {
    const seq = await createLogSequencer({ storage, signer: log.signer, maxDelayMs: 0 });
    const added = seq.add(entry);
    await seq.close();
    const { index } = await added;
    const cp = seq.checkpoint();
    const proof = await storedInclusionProof(storage, index, cp.size);
    return { index, treeSize: cp.size, receipt: formatTlogProof({ index, proof, checkpoint: cp.note }) };
  } finally {
    await storage.close();
  }
}

function remoteError(status: number, text: string, url: string): LogServiceError {
  let code: string | undefined;
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not JSON: keep the raw text
  }
  const kind = status >= 400 && status < 500 ? 'input' : 'internal';
  return new LogServiceError(status >= 500 ? C.NETWORK : C.REJECTED, `log at ${url} refused the entry (${status}${code ? ` ${code}` : ''}): ${message}`, {
    kind,
    details: { status, ...(code ? { remote: code } : {}) },
  });
}

async function submitHttp(url: string, entry: Uint8Array, options: SubmitOptions): Promise<SubmitResult> {
  const base = url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const call = async (path: string, init?: RequestInit): Promise<{ status: number; text: string }> => {
    try {
      const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      return { status: res.status, text: await res.text() };
    } catch (cause) {
      throw new LogServiceError(C.NETWORK, `cannot reach the log at ${url}${path}; check the URL and that the log is up`, { cause, kind: 'internal' });
    }
  };
  const added = await call('/add', { method: 'POST', body: entry, headers: { 'content-type': 'application/octet-stream' } });
  if (added.status !== 200) throw remoteError(added.status, added.text, url);
  let index: number;
  try {
    const body = JSON.parse(added.text) as { index?: unknown };
    index = typeof body.index === 'number' && Number.isSafeInteger(body.index) && body.index >= 0 ? body.index : -1;
  } catch {
    index = -1;
  }
  if (index < 0) throw new LogServiceError(C.NETWORK, `log at ${url} answered /add without a valid index`, { kind: 'internal' });
  // The add returns after commit, so the first checkpoint fetched should contain it; poll briefly otherwise.
  for (;;) {
    const got = await call('/checkpoint');
    if (got.status !== 200) throw remoteError(got.status, got.text, url);
    const cp = parseCheckpoint(parseNote(got.text).text);
    if (cp.size > index) {
      const proof = await tileInclusionProof(httpTileFetcher(base, { timeoutMs }), index, cp.size);
      // Catch a log serving inconsistent tiles now rather than in a verifier's hands later.
      verifyInclusion(index, cp.size, leafHash(entry), proof, cp.rootHash);
      return { index, treeSize: cp.size, receipt: formatTlogProof({ index, proof, checkpoint: got.text }) };
    }
    if (Date.now() > deadline) throw new LogServiceError(C.NETWORK, `log at ${url} did not publish a checkpoint containing index ${index} within ${timeoutMs} ms`, { kind: 'internal' });
    await new Promise((r) => setTimeout(r, 50));
  }
}
