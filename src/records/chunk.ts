/**
 * The per-chunk work of a scan, run inside pool workers: a block of JSONL or text lines (ending
 * at a newline) → the 32-byte digest of every record. Line numbers inside are chunk-relative;
 * the caller rebases them.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { ProvenantError } from '../core/index.js';
import { decodeBlock, forEachLine, lineRecord, stripBom, type LineKind } from './lines.js';
import { beginBlock, canonicalJsonBytes } from './canonical-bytes.js';
import { canonicalRecordText } from './json-record.js';
import { sha256Into } from './digest.js';

export interface ChunkFailure {
  readonly code: string;
  readonly message: string;
  /** 1-based line relative to the chunk start. */
  readonly line: number;
  readonly path?: string;
}

export interface ChunkDigests {
  readonly count: number;
  /** count × 32 bytes. */
  readonly digests: Buffer;
  /** count × 32 bytes: RFC 9162 leaf hash SHA-256(0x00 || digest) of each record digest. */
  readonly leaves: Buffer;
  /**
   * `digests` then `leaves` in one view; it spans its whole (unpooled) ArrayBuffer when the
   * `records` hint was exact, so a worker can transfer it without copying.
   */
  readonly pair: Buffer;
  readonly failure?: ChunkFailure;
}

/**
 * Digests every record of `block`. Never throws for bad input: a failure is returned as data.
 * `records`: the number of lines in the block when the caller already counted them.
 */
export function digestLineChunk(kind: LineKind, block: Buffer, file: string, firstInFile: boolean, records?: number): ChunkDigests {
  const expected = records ?? countRecords(block);
  // Room for the digests and, after them, the leaf hashes.
  let digests: Buffer = Buffer.from(new ArrayBuffer(expected * 64));
  let count = 0;
  const leafIn = Buffer.alloc(33); // 0x00 || digest
  let failure: ChunkFailure | undefined;
  const digestText = (canonical: string): void => {
    if (count * 32 >= digests.length) digests = grow(digests);
    // node:crypto hashes a string as its UTF-8 bytes, without a JS-side encode into a Buffer.
    sha256Into(canonical, digests, count * 32);
    count++;
  };
  try {
    if (isUtf8(block)) {
      // Valid UTF-8 (the usual case): decode line by line, which avoids one multi-megabyte
      // string per block, and canonicalize JSONL lines without building values.
      const ascii = isAscii(block);
      if (kind === 'jsonl') beginBlock(block);
      let start = 0;
      let line = 1;
      while (start < block.length) {
        const nl = block.indexOf(0x0a, start);
        const end = nl === -1 ? block.length : nl;
        // The usual record is canonicalized on its bytes; anything else goes the string way.
        const bytes = kind === 'jsonl' ? canonicalJsonBytes(block, start, end) : undefined;
        if (bytes !== undefined) {
          if (count * 32 >= digests.length) digests = grow(digests);
          sha256Into(bytes, digests, count * 32);
          count++;
        } else {
          let text = block.toString(ascii ? 'latin1' : 'utf8', start, end);
          if (line === 1 && firstInFile) text = stripBom(text);
          const location = { file, line };
          digestText(kind === 'jsonl' ? canonicalRecordText(text, location) : lineRecord(kind, text, location).canonical);
        }
        line++;
        start = end + 1;
      }
    } else {
      const { text, error } = decodeBlock(block, file, 1);
      forEachLine(kind, firstInFile ? stripBom(text) : text, file, 1, (rec) => digestText(rec.canonical));
      if (error) throw error;
    }
  } catch (err) {
    failure = toFailure(err, count + 1);
  }
  // Leaf hashes are computed here too, so the Merkle trees over this file need node hashes only.
  if (digests.length < count * 64) digests = grow(digests);
  const leaves = digests.subarray(count * 32, count * 64);
  for (let i = 0; i < count; i++) {
    const p = i * 32;
    for (let k = 0; k < 32; k++) leafIn[1 + k] = digests[p + k] as number;
    sha256Into(leafIn, leaves, p);
  }
  return { count, digests: digests.subarray(0, count * 32), leaves, pair: digests.subarray(0, count * 64), ...(failure ? { failure } : {}) };
}

function grow(b: Buffer): Buffer {
  const g = Buffer.from(new ArrayBuffer(Math.max(64, b.length * 2)));
  b.copy(g);
  return g;
}

/** Lines in the block: one per '\n', plus a final unterminated one. */
function countRecords(block: Buffer): number {
  let n = 0;
  for (let i = block.indexOf(0x0a); i !== -1; i = block.indexOf(0x0a, i + 1)) n++;
  return block.length > 0 && block[block.length - 1] !== 0x0a ? n + 1 : n;
}

function toFailure(err: unknown, fallbackLine: number): ChunkFailure {
  if (err instanceof ProvenantError) {
    const loc = err.location;
    return {
      code: err.code,
      message: err.message,
      line: loc?.line ?? fallbackLine,
      ...(loc?.path !== undefined ? { path: loc.path } : {}),
    };
  }
  return { code: 'RECORD_INTERNAL', message: err instanceof Error ? err.message : String(err), line: fallbackLine };
}
