/**
 * C2SP tlog-checkpoint: a signed note whose text is the log origin, the decimal tree size, the
 * base64 root hash and optional extension lines; and verification of a checkpoint against a
 * log key plus an N-of-named-witnesses C2SP tlog-cosignature v1 policy.
 */
import type { SourceLocation } from '../core/index.js';
import { decodeBase64Strict, isIndex, parseDecimal } from './encoding.js';
import { LOG_ERROR_CODES as C, LogError, verificationError } from './errors.js';
import { cosignatureTimestamp, formatKeyId, SIG_TYPE_COSIGNATURE_V1, type NoteSigner, type NoteVerifier } from './keys.js';
import { HASH_SIZE } from './merkle.js';
import { checkNoteText, openNote, signNote, type ParseNoteOptions, type VerifiedNote } from './note.js';

/** A log's tree head as written in a checkpoint. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  /** Opaque extension lines (the spec discourages them; they are kept verbatim). */
  readonly extensions: readonly string[];
}

function malformed(message: string, file: string | undefined, line?: number): LogError {
  const location: SourceLocation | undefined =
    file === undefined ? undefined : line === undefined ? { file } : { file, line };
  return new LogError(C.CHECKPOINT_MALFORMED, message, location ? { location } : {});
}

/** Writes the checkpoint note text (without signatures), final newline included. */
export function formatCheckpoint(cp: Checkpoint): string {
  if (cp.origin.length === 0 || cp.origin.includes('\n')) throw malformed('checkpoint origin must be one non-empty line', undefined);
  if (!isIndex(cp.size)) throw new LogError(C.RANGE, `checkpoint tree size must be a non-negative safe integer, got ${String(cp.size)}`);
  if (cp.rootHash.length !== HASH_SIZE) throw malformed(`checkpoint root hash must be ${HASH_SIZE} bytes, got ${cp.rootHash.length}`, undefined);
  for (const e of cp.extensions) {
    if (e.length === 0 || e.includes('\n')) throw malformed('checkpoint extension lines must be non-empty single lines', undefined);
  }
  const text = [cp.origin, String(cp.size), cp.rootHash.toString('base64'), ...cp.extensions].join('\n') + '\n';
  checkNoteText(text);
  return text;
}

/** Parses checkpoint note text (the part above the blank line); throws TLOG_CHECKPOINT_MALFORMED. */
export function parseCheckpoint(text: string, options: { readonly file?: string } = {}): Checkpoint {
  const file = options.file;
  if (!text.endsWith('\n')) throw malformed('checkpoint text must end with a newline', file);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed(`checkpoint needs origin, tree size and root hash lines, found ${lines.length} line(s)`, file);
  const empty = lines.findIndex((l) => l.length === 0);
  if (empty >= 0) throw malformed(`checkpoint line ${empty + 1} is empty; every line must be non-empty`, file, empty + 1);
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  const size = parseDecimal(sizeText);
  if (size === 'syntax') throw malformed(`checkpoint tree size ${JSON.stringify(sizeText)} is not a decimal without leading zeroes`, file, 2);
  if (size === 'range') throw malformed(`checkpoint tree size ${sizeText} is above 2^53-1, which this tool does not support`, file, 2);
  const rootHash = decodeBase64Strict(rootText);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) {
    throw malformed(`checkpoint root hash must be the base64 of ${HASH_SIZE} bytes`, file, 3);
  }
  return { origin, size, rootHash, extensions };
}

/** Formats and signs a checkpoint; returns the signed note. */
export function signCheckpoint(cp: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(cp), signers);
}

/** What a verifier trusts for one log. */
export interface CheckpointPolicy {
  /** The log's own key; its signature is always required. */
  readonly log: NoteVerifier;
  /** Expected origin line (default: the log key's name, as tlog-checkpoint recommends). */
  readonly origin?: string;
  /** Trusted witnesses (cosignature/v1 keys, type 0x04). */
  readonly witnesses?: readonly NoteVerifier[];
  /** How many distinct named witnesses must have cosigned (default 0). */
  readonly quorum?: number;
}

/** A witness cosignature that verified. */
export interface Cosignature {
  readonly name: string;
  readonly keyId: string;
  /** Seconds since the epoch when the witness cosigned (undefined for untimestamped types). */
  readonly timestamp: number | undefined;
}

/** A checkpoint whose log signature, origin and witness quorum all checked out. */
export interface VerifiedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: VerifiedNote;
  readonly cosignatures: readonly Cosignature[];
}

/**
 * Verifies a signed checkpoint: the log key signed it (TLOG_NOTE_UNVERIFIED otherwise), no known
 * key's signature fails (TLOG_NOTE_BAD_SIGNATURE), the origin is the expected one
 * (TLOG_CHECKPOINT_ORIGIN) and at least `quorum` named witnesses cosigned (TLOG_COSIGNATURE_QUORUM).
 */
export function openCheckpoint(signed: string | Uint8Array, policy: CheckpointPolicy, options: ParseNoteOptions = {}): VerifiedCheckpoint {
  const witnesses = policy.witnesses ?? [];
  const quorum = policy.quorum ?? 0;
  if (!isIndex(quorum) || quorum > new Set(witnesses.map((w) => w.name)).size) {
    throw new LogError(C.RANGE, `witness quorum ${String(quorum)} cannot be met by ${witnesses.length} trusted witness key(s)`);
  }
  // Witnesses sign tlog-cosignature v1 (type 0x04), which binds a timestamp; a plain Ed25519 key
  // (0x01) under a witness name would let any log-style signature pass as a cosignature.
  const wrongType = witnesses.find((w) => w.type !== SIG_TYPE_COSIGNATURE_V1);
  if (wrongType !== undefined) {
    throw new LogError(C.KEY_MALFORMED, `witness key ${wrongType.name}+${formatKeyId(wrongType.keyId)} has signature type 0x${wrongType.type.toString(16).padStart(2, '0')}; witness keys must be cosignature/v1 (type 0x04)`, {
      details: { reason: 'witness-key-type' },
    });
  }
  const note = openNote(signed, [policy.log, ...witnesses], options);
  const loc = options.file === undefined ? {} : { location: { file: options.file } };
  const logSigned = note.verified.some((s) => s.name === policy.log.name && s.keyId === policy.log.keyId);
  if (!logSigned) {
    throw verificationError(C.NOTE_UNVERIFIED, `checkpoint is not signed by the log key ${policy.log.name}+${formatKeyId(policy.log.keyId)}`, loc);
  }
  const checkpoint = parseCheckpoint(note.text, options.file === undefined ? {} : { file: options.file });
  const origin = policy.origin ?? policy.log.name;
  if (checkpoint.origin !== origin) {
    throw verificationError(C.CHECKPOINT_ORIGIN, `checkpoint origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(origin)}: it belongs to another log`, {
      ...loc,
      details: { origin: checkpoint.origin, expected: origin },
    });
  }
  const witnessKeys = new Set(witnesses.map((w) => `${w.name}\n${w.keyId}`));
  const cosignatures: Cosignature[] = note.verified
    .filter((s) => witnessKeys.has(`${s.name}\n${s.keyId}`))
    .map((s) => ({ name: s.name, keyId: formatKeyId(s.keyId), timestamp: cosignatureTimestamp(s.signature) }));
  // Count witnesses by name: two keys of one witness (a rotation) are still one witness.
  const named = new Set(cosignatures.map((c) => c.name));
  if (named.size < quorum) {
    throw verificationError(C.COSIGNATURE_QUORUM, `checkpoint is cosigned by ${named.size} of the ${quorum} required witnesses; wait for more cosignatures or check the witness keys`, {
      ...loc,
      details: { cosignedBy: [...named], quorum },
    });
  }
  return { checkpoint, note, cosignatures };
}
