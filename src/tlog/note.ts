/**
 * C2SP signed-note: text ending in a newline, a blank line, then one or more signature lines
 * `— <key name> base64(key id || signature)`. Parsing is strict (valid UTF-8, no control
 * characters but newline, canonical base64, bounded signature count) because notes arrive from
 * logs, witnesses and receipts an attacker may control.
 */
import type { SourceLocation } from '../core/index.js';
import { decodeBase64Strict, isWellFormedString } from './encoding.js';
import { LOG_ERROR_CODES as C, LogError, verificationError } from './errors.js';
import { formatKeyId, isValidKeyName, type NoteSigner, type NoteVerifier } from './keys.js';

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** Signature bytes after the 4-byte key id. */
  readonly signature: Buffer;
}

/** A parsed, not yet verified note. */
export interface Note {
  /** The signed text, including its final newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A note whose signatures by trusted keys all verified. */
export interface VerifiedNote extends Note {
  /** Verified signatures, one per trusted key (repeats dropped). */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys the caller does not know: ignored, per the spec, but kept for display. */
  readonly unverified: readonly NoteSignature[];
}

export interface ParseNoteOptions {
  /** File name used in error locations. */
  readonly file?: string;
  /** Maximum signature lines (default 100; the spec requires accepting at least 16). */
  readonly maxSignatures?: number;
  /** Maximum note size in bytes (default 1 MiB). */
  readonly maxBytes?: number;
}

const SIG_PREFIX = '\u2014 ';
const DEFAULT_MAX_SIGNATURES = 100;
const DEFAULT_MAX_BYTES = 1 << 20;

type NoteReason =
  | 'too-large'
  | 'not-utf8'
  | 'control-char'
  | 'no-final-newline'
  | 'no-blank-line'
  | 'no-signatures'
  | 'too-many-signatures'
  | 'bad-signature-line'
  | 'bad-key-name'
  | 'bad-base64'
  | 'signature-too-short'
  | 'text-no-newline';

function malformed(reason: NoteReason, message: string, file: string | undefined, line?: number): LogError {
  const location: SourceLocation | undefined =
    file === undefined ? undefined : line === undefined ? { file } : { file, line };
  return new LogError(C.NOTE_MALFORMED, message, { ...(location ? { location } : {}), details: { reason } });
}

function lineOf(s: string, offset: number): number {
  let n = 1;
  for (let i = s.indexOf('\n'); i !== -1 && i < offset; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function checkChars(s: string, file: string | undefined): void {
  if (!isWellFormedString(s)) throw malformed('not-utf8', 'note is not valid UTF-8 (lone surrogate)', file);
  const cc = /[\x00-\x09\x0b-\x1f]/.exec(s); // eslint-disable-line no-control-regex
  if (cc) {
    const code = cc[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw malformed('control-char', `note contains control character U+${code}; only newline is allowed`, file, lineOf(s, cc.index));
  }
}

/** Checks that note text is well-formed: valid UTF-8, no control characters, ends in a newline. */
export function checkNoteText(text: string, file?: string): void {
  checkChars(text, file);
  if (!text.endsWith('\n')) throw malformed('text-no-newline', 'note text must end with a newline', file);
}

/** Parses a signed note without verifying it; throws TLOG_NOTE_MALFORMED (details.reason says why). */
export function parseNote(input: string | Uint8Array, options: ParseNoteOptions = {}): Note {
  const file = options.file;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxSigs = options.maxSignatures ?? DEFAULT_MAX_SIGNATURES;
  let msg: string;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > maxBytes) throw malformed('too-large', `note is larger than ${maxBytes} bytes`, file);
    msg = input;
  } else {
    if (input.length > maxBytes) throw malformed('too-large', `note is larger than ${maxBytes} bytes`, file);
    try {
      msg = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw malformed('not-utf8', 'note is not valid UTF-8', file);
    }
  }
  checkChars(msg, file);
  if (!msg.endsWith('\n')) throw malformed('no-final-newline', 'note does not end with a newline (truncated?)', file);
  // The text is separated from the signatures by the *last* blank line (the text may hold blank lines).
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no-blank-line', 'note has no blank line between its text and its signatures', file);
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  const lines = block.length === 0 ? [] : block.slice(0, -1).split('\n');
  if (lines.length === 0) throw malformed('no-signatures', 'note has no signature lines', file);
  if (lines.length > maxSigs) throw malformed('too-many-signatures', `note has ${lines.length} signatures; at most ${maxSigs} are accepted`, file);
  const firstSigLine = lineOf(msg, split) + 2;
  const signatures = lines.map((line, i) => parseSignatureLine(line, file, firstSigLine + i));
  return { text, signatures };
}

function parseSignatureLine(line: string, file: string | undefined, lineNo: number): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) {
    throw malformed('bad-signature-line', "signature line must start with an em dash and a space ('\u2014 ')", file, lineNo);
  }
  const rest = line.slice(SIG_PREFIX.length);
  const sp = rest.indexOf(' ');
  if (sp < 0) throw malformed('bad-signature-line', 'signature line must read "\u2014 <key name> <base64 signature>"', file, lineNo);
  const name = rest.slice(0, sp);
  const b64 = rest.slice(sp + 1);
  if (!isValidKeyName(name)) throw malformed('bad-key-name', `signature key name ${JSON.stringify(name)} is empty or contains spaces or '+'`, file, lineNo);
  const raw = decodeBase64Strict(b64);
  if (raw === undefined) throw malformed('bad-base64', `signature by ${name} is not canonical base64`, file, lineNo);
  if (raw.length < 5) throw malformed('signature-too-short', `signature by ${name} is ${raw.length} bytes; it needs a 4-byte key id and a signature`, file, lineNo);
  return { name, keyId: raw.readUInt32BE(0), signature: raw.subarray(4) };
}

/** Writes one signature line, newline included. */
export function formatSignatureLine(sig: NoteSignature): string {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(sig.keyId >>> 0);
  return `${SIG_PREFIX}${sig.name} ${Buffer.concat([head, sig.signature]).toString('base64')}\n`;
}

/** Writes a note: text, blank line, signature lines. */
export function formatNote(note: Note): string {
  checkNoteText(note.text);
  if (note.signatures.length === 0) throw malformed('no-signatures', 'a note needs at least one signature', undefined);
  for (const s of note.signatures) {
    if (!isValidKeyName(s.name)) throw malformed('bad-key-name', `key name ${JSON.stringify(s.name)} is invalid`, undefined);
  }
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

function signWith(text: string, signers: readonly NoteSigner[]): NoteSignature[] {
  const bytes = Buffer.from(text, 'utf8');
  return signers.map((s) => ({ name: s.name, keyId: s.keyId, signature: s.sign(bytes) }));
}

/** Signs `text` (which must end in a newline) with each signer and returns the signed note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkNoteText(text);
  return formatNote({ text, signatures: signWith(text, signers) });
}

const keyOf = (name: string, keyId: number): string => `${name}\n${keyId}`;

/**
 * Adds signatures to an existing signed note (e.g. a witness cosigning a checkpoint). A previous
 * signature by the same key (name and id) is replaced, so re-signing never duplicates lines.
 */
export function addSignatures(signedNote: string | Uint8Array, signers: readonly NoteSigner[], options: ParseNoteOptions = {}): string {
  const note = parseNote(signedNote, options);
  const fresh = signWith(note.text, signers);
  const replaced = new Set(fresh.map((s) => keyOf(s.name, s.keyId)));
  const kept = note.signatures.filter((s) => !replaced.has(keyOf(s.name, s.keyId)));
  return formatNote({ text: note.text, signatures: [...kept, ...fresh] });
}

/** Indexes trusted verifiers by (name, key id); two keys with the same pair are a configuration error. */
export function verifierMap(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  const map = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const k = keyOf(v.name, v.keyId);
    if (map.has(k)) {
      throw new LogError(C.KEY_MALFORMED, `two trusted keys share the name ${v.name} and key id ${formatKeyId(v.keyId)}; remove one`, {
        details: { reason: 'duplicate-key' },
      });
    }
    map.set(k, v);
  }
  return map;
}

/**
 * Parses and verifies a signed note (C2SP signed-note §Signatures). Signatures by unknown keys
 * are ignored; every signature by a known key is verified and any failure rejects the whole
 * note (TLOG_NOTE_BAD_SIGNATURE); without one verified signature it throws TLOG_NOTE_UNVERIFIED.
 */
export function openNote(input: string | Uint8Array, verifiers: readonly NoteVerifier[], options: ParseNoteOptions = {}): VerifiedNote {
  const known = verifierMap(verifiers);
  const note = parseNote(input, options);
  const text = Buffer.from(note.text, 'utf8');
  const verified = new Map<string, NoteSignature>();
  const unverified: NoteSignature[] = [];
  const seenUnknown = new Set<string>();
  const loc = options.file === undefined ? {} : { location: { file: options.file } };
  for (const sig of note.signatures) {
    const k = keyOf(sig.name, sig.keyId);
    const v = known.get(k);
    if (v === undefined) {
      const line = `${k}\n${sig.signature.toString('base64')}`;
      if (!seenUnknown.has(line)) unverified.push(sig);
      seenUnknown.add(line);
      continue;
    }
    if (!v.verify(text, sig.signature)) {
      throw verificationError(C.NOTE_BAD_SIGNATURE, `signature by ${sig.name} (key ${formatKeyId(sig.keyId)}) does not verify: the note was altered or forged`, {
        ...loc,
        details: { name: sig.name, keyId: formatKeyId(sig.keyId) },
      });
    }
    if (!verified.has(k)) verified.set(k, sig);
  }
  if (verified.size === 0) {
    const trusted = verifiers.map((v) => `${v.name}+${formatKeyId(v.keyId)}`).join(', ') || 'none';
    throw verificationError(C.NOTE_UNVERIFIED, `note carries no signature by a trusted key (trusted: ${trusted}); check the key you passed`, {
      ...loc,
      details: { present: note.signatures.map((s) => `${s.name}+${formatKeyId(s.keyId)}`) },
    });
  }
  return { ...note, verified: [...verified.values()], unverified };
}
