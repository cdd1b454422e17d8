/**
 * C2SP tlog-witness: a witness cosigns a log's checkpoint only if it is consistent with the last
 * checkpoint it cosigned for that origin, and records the new one atomically with the check
 * (compare-and-set), so two racing requests can never roll it back (tlog-witness §add-checkpoint).
 * Cosignatures are C2SP tlog-cosignature v1 (type 0x04, timestamped Ed25519).
 *
 * Also the log side: requestCosignatures() submits a checkpoint to configured witnesses and
 * attaches the cosignatures that verify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { digestEqual } from '../../core/index.js';
import { openCheckpoint, parseCheckpoint, type Checkpoint } from '../checkpoint.js';
import { decodeBase64Strict, parseDecimal } from '../encoding.js';
import { LogError } from '../errors.js';
import { formatKeyId, SIG_TYPE_COSIGNATURE_V1, type NoteSigner, type NoteVerifier } from '../keys.js';
import { HASH_SIZE, verifyConsistency } from '../merkle.js';
import { formatNote, formatSignatureLine, openNote, parseNote } from '../note.js';
import { LOG_SERVICE_ERROR_CODES as C, LogServiceError } from './errors.js';
import { listen, readBody, requestPath, safeHandler, send, type RunningServer } from './http.js';
import type { LogStorage } from './storage.js';

/** Largest add-checkpoint body a witness reads. */
export const MAX_ADD_CHECKPOINT_BYTES = 64 * 1024;
/** tlog-witness: at most 63 consistency proof lines. */
const MAX_PROOF_LINES = 63;
/** Content type of a 409 body carrying the witness's current size. */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

export interface WitnessOptions {
  /** Holds the per-origin state (getWitnessState / compareAndSetWitnessState). */
  readonly storage: LogStorage;
  /** The witness's cosignature/v1 key (type 0x04). */
  readonly signer: NoteSigner;
  /** Logs it witnesses: each log key's name is its origin (tlog-checkpoint recommendation). */
  readonly logs: readonly NoteVerifier[];
}

/** A witness's answer, ready to be sent over HTTP. */
export interface WitnessResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** The error code for a refusal (absent on 200). */
  readonly code?: string;
}

/** A witness instance. */
export interface Witness {
  /** Handles one add-checkpoint request body. */
  addCheckpoint(body: Uint8Array): Promise<WitnessResponse>;
}

interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Buffer[];
  readonly note: string;
}

function badRequest(message: string): LogServiceError {
  return new LogServiceError(C.WITNESS_BAD_REQUEST, message);
}

/** Parses an add-checkpoint body: `old N`, proof lines, blank line, signed checkpoint. */
export function parseAddCheckpoint(body: Uint8Array): AddCheckpointRequest {
  if (body.length > MAX_ADD_CHECKPOINT_BYTES) throw new LogServiceError(C.ENTRY_TOO_LARGE, `add-checkpoint body is larger than ${MAX_ADD_CHECKPOINT_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw badRequest('add-checkpoint body is not valid UTF-8');
  }
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw badRequest('add-checkpoint body needs an old-size line, proof lines, a blank line and a checkpoint');
  const [first, ...proofLines] = text.slice(0, blank).split('\n') as [string, ...string[]];
  if (!first.startsWith('old ')) throw badRequest("add-checkpoint body must start with 'old <size>'");
  const oldSize = parseDecimal(first.slice(4));
  if (typeof oldSize !== 'number') throw badRequest('old size must be a decimal without leading zeroes below 2^53');
  if (proofLines.length > MAX_PROOF_LINES) throw badRequest(`consistency proof has ${proofLines.length} lines; at most ${MAX_PROOF_LINES}`);
  const proof = proofLines.map((l, i) => {
    const h = decodeBase64Strict(l);
    if (h === undefined || h.length !== HASH_SIZE) throw badRequest(`consistency proof line ${i + 1} is not the base64 of a ${HASH_SIZE}-byte hash`);
    return h;
  });
  return { oldSize, proof, note: text.slice(blank + 2) };
}

const conflict = (size: number, code: string = C.WITNESS_CONFLICT): WitnessResponse => ({
  status: 409,
  contentType: TLOG_SIZE_CONTENT_TYPE,
  body: `${size}\n`,
  code,
});

function refusal(err: LogServiceError): WitnessResponse {
  const status = { [C.WITNESS_UNKNOWN_LOG]: 404, [C.WITNESS_FORBIDDEN]: 403, [C.WITNESS_INCONSISTENT]: 422, [C.ENTRY_TOO_LARGE]: 413 }[err.code as string] ?? 400;
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ error: { code: err.code, message: err.message } }) + '\n', code: err.code };
}

/** Creates a witness. */
export function createWitness(options: WitnessOptions): Witness {
  if (options.signer.type !== SIG_TYPE_COSIGNATURE_V1) {
    throw new LogServiceError(C.WITNESS_BAD_REQUEST, 'a witness signs with a cosignature/v1 key (type 0x04); generate one with generateNoteKey(name, 0x04)', { kind: 'input' });
  }
  const logs = new Map<string, NoteVerifier[]>();
  for (const v of options.logs) logs.set(v.name, [...(logs.get(v.name) ?? []), v]);
  const { storage, signer } = options;

  async function check(body: Uint8Array): Promise<WitnessResponse> {
    const req = parseAddCheckpoint(body);
    let cp: Checkpoint;
    try {
      cp = parseCheckpoint(parseNote(req.note).text);
    } catch (err) {
      throw badRequest(`checkpoint is malformed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const keys = logs.get(cp.origin);
    if (keys === undefined) throw new LogServiceError(C.WITNESS_UNKNOWN_LOG, `this witness does not witness the log ${JSON.stringify(cp.origin.slice(0, 200))}`);
    // tlog-witness: verify against the trusted keys, ignoring unknown ones; none verifying → 403.
    const signedBy = keys.some((log) => {
      try {
        openCheckpoint(req.note, { log, origin: cp.origin });
        return true;
      } catch (err) {
        if (err instanceof LogError) return false;
        throw err;
      }
    });
    if (!signedBy) throw new LogServiceError(C.WITNESS_FORBIDDEN, `checkpoint for ${cp.origin} carries no valid signature by the log key`);
    if (req.oldSize > cp.size) throw badRequest(`old size ${req.oldSize} is larger than the checkpoint size ${cp.size}`);
    const state = await storage.getWitnessState(cp.origin);
    const stored = state?.size ?? 0;
    if (req.oldSize !== stored) return conflict(stored);
    if (req.oldSize === 0) {
      if (req.proof.length !== 0) throw badRequest('consistency proof must be empty when the old size is 0');
    } else if (req.oldSize === cp.size) {
      if (req.proof.length !== 0) throw badRequest('consistency proof must be empty when the old size equals the checkpoint size');
      if (!digestEqual((state as { rootHash: Buffer }).rootHash, cp.rootHash)) return conflict(stored, C.SPLIT_VIEW);
    } else {
      try {
        verifyConsistency(req.oldSize, cp.size, req.proof, (state as { rootHash: Buffer }).rootHash, cp.rootHash);
      } catch (err) {
        if (err instanceof LogError) {
          throw new LogServiceError(C.WITNESS_INCONSISTENT, `checkpoint of size ${cp.size} is not consistent with the cosigned size ${stored}: ${err.message}`);
        }
        throw err;
      }
    }
    const grows = state === undefined || cp.size > stored;
    if (grows) {
      const next = { origin: cp.origin, size: cp.size, rootHash: cp.rootHash, note: req.note };
      const ok = await storage.compareAndSetWitnessState(state === undefined ? undefined : { size: state.size, rootHash: state.rootHash }, next);
      if (!ok) {
        // Another request moved the state between our read and our write: report where it is now.
        const now = await storage.getWitnessState(cp.origin);
        return conflict(now?.size ?? 0);
      }
    }
    const text = Buffer.from(parseNote(req.note).text, 'utf8');
    const line = formatSignatureLine({ name: signer.name, keyId: signer.keyId, signature: signer.sign(text) });
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: line };
  }

  return {
    async addCheckpoint(body: Uint8Array): Promise<WitnessResponse> {
      try {
        return await check(body);
      } catch (err) {
        if (err instanceof LogServiceError && err.kind !== 'internal') return refusal(err);
        throw err;
      }
    },
  };
}

/** HTTP handler of a witness: POST /add-checkpoint. */
export function createWitnessHandler(witness: Witness): ReturnType<typeof safeHandler> {
  return safeHandler(async (req: IncomingMessage, res: ServerResponse) => {
    const path = requestPath(req);
    if (path !== '/add-checkpoint') throw new LogServiceError(C.NOT_FOUND, 'a witness serves POST /add-checkpoint only');
    if (req.method !== 'POST') throw new LogServiceError(C.METHOD_NOT_ALLOWED, 'use POST /add-checkpoint');
    const body = await readBody(req, MAX_ADD_CHECKPOINT_BYTES);
    const r = await witness.addCheckpoint(body);
    send(res, r.status, { 'content-type': r.contentType, 'cache-control': 'no-store' }, r.body);
  });
}

/** Starts a witness server on 127.0.0.1. */
export function startWitnessServer(witness: Witness, options: { readonly port?: number; readonly host?: string } = {}): Promise<RunningServer> {
  return listen(createWitnessHandler(witness), options);
}

/** A witness the log asks for cosignatures. */
export interface WitnessEndpoint {
  /** URL prefix: the request goes to `<url>/add-checkpoint`. */
  readonly url: string;
  /** The witness's cosignature/v1 verifier key. */
  readonly verifier: NoteVerifier;
}

/** Consistency proof provider (from the log's own store). */
export type ProveConsistency = (size1: number, size2: number) => Promise<Buffer[]>;

/**
 * Submits a signed checkpoint to each witness and returns the note with every cosignature that
 * verifies attached. `known` remembers each witness's last cosigned size between calls; a 409
 * teaches it (tlog-witness: start with old 0 when unknown). Failures of single witnesses are
 * reported in `failures`, never thrown: a quorum is the verifier's decision.
 */
export async function requestCosignatures(
  note: string,
  witnesses: readonly WitnessEndpoint[],
  prove: ProveConsistency,
  known: Map<string, number> = new Map(),
  options: { readonly timeoutMs?: number } = {},
): Promise<{ note: string; failures: string[] }> {
  const cp = parseCheckpoint(parseNote(note).text);
  const failures: string[] = [];
  const lines = await Promise.all(
    witnesses.map(async (w) => {
      try {
        return await askWitness(w, note, cp, prove, known, options.timeoutMs ?? 5000);
      } catch (err) {
        failures.push(`${w.verifier.name} at ${w.url}: ${err instanceof Error ? err.message : String(err)}`);
        return [];
      }
    }),
  );
  const parsed = parseNote(note);
  const fresh = lines.flat();
  const replaced = new Set(fresh.map((s) => `${s.name}\n${s.keyId}`));
  const kept = parsed.signatures.filter((s) => !replaced.has(`${s.name}\n${s.keyId}`));
  return { note: formatNote({ text: parsed.text, signatures: [...kept, ...fresh] }), failures };
}

async function askWitness(
  w: WitnessEndpoint,
  note: string,
  cp: Checkpoint,
  prove: ProveConsistency,
  known: Map<string, number>,
  timeoutMs: number,
): Promise<ReturnType<typeof parseNote>['signatures'][number][]> {
  const url = `${w.url.replace(/\/+$/, '')}/add-checkpoint`;
  for (let attempt = 0; attempt < 2; attempt++) {
    const old = Math.min(known.get(w.url) ?? 0, cp.size);
    const proof = old === 0 || old === cp.size ? [] : await prove(old, cp.size);
    const body = [`old ${old}`, ...proof.map((h) => h.toString('base64')), '', ''].join('\n') + note;
    const res = await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.status === 409 && (res.headers.get('content-type') ?? '').startsWith(TLOG_SIZE_CONTENT_TYPE)) {
      const size = parseDecimal(text.trimEnd());
      if (typeof size !== 'number' || size > cp.size) throw new Error(`witness holds size ${text.trim().slice(0, 30)}, beyond this checkpoint (${cp.size})`);
      if (size === old) throw new Error(`witness refused size ${cp.size} as a split view of size ${size}`);
      known.set(w.url, size);
      continue;
    }
    if (res.status !== 200) throw new Error(`witness answered ${res.status}: ${text.slice(0, 200)}`);
    // tlog-witness: append the response lines to the note and verify them with the witness key.
    const verified = openNote(note + text, [w.verifier]);
    known.set(w.url, cp.size);
    return verified.verified.filter((s) => s.name === w.verifier.name && s.keyId === w.verifier.keyId);
  }
  throw new Error(`witness kept answering 409 Conflict for ${formatKeyId(w.verifier.keyId)}`);
}
