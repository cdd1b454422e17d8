/**
 * Line-oriented bytes: splitting a byte stream into blocks that end at a newline, strict UTF-8
 * decoding that names the offending line, and turning a JSONL or text line into a record.
 * A block cut after 0x0A never splits a UTF-8 sequence (0x0A is never a continuation byte).
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { recordError } from './errors.js';
import { parseJsonRecord, type ParseRecordOptions, type ParsedRecord } from './json-record.js';
import type { SourceLocation } from '../core/index.js';

/** Longest line (bytes) a reader accepts; a longer one is refused rather than buffered without bound. */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

export type LineKind = 'jsonl' | 'text';

/** Re-cuts a byte stream into blocks ending just after a '\n' (the last block may lack one). */
export async function* newlineBlocks(source: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  let carriedLines = 1;
  for await (const piece of source) {
    let buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (carry) {
      // Only the carried partial line and the head of this piece up to its first '\n' are
      // copied; the rest of the piece is passed on without a copy.
      const first = buf.indexOf(0x0a);
      if (first === -1) {
        carry = Buffer.concat([carry, buf]);
        if (carry.length > MAX_LINE_BYTES) throw lineTooLong(file, carriedLines);
        continue;
      }
      const head = Buffer.concat([carry, buf.subarray(0, first + 1)]);
      carry = undefined;
      if (head.length > MAX_LINE_BYTES + 1) throw lineTooLong(file, carriedLines);
      carriedLines++;
      yield head;
      buf = buf.subarray(first + 1);
    }
    const cut = buf.lastIndexOf(0x0a) + 1;
    if (cut === 0) {
      if (buf.length > MAX_LINE_BYTES) throw lineTooLong(file, carriedLines);
      if (buf.length > 0) carry = Buffer.from(buf);
      continue;
    }
    carry = cut < buf.length ? Buffer.from(buf.subarray(cut)) : undefined;
    carriedLines += countNewlines(buf, 0, cut);
    yield buf.subarray(0, cut);
  }
  if (carry && carry.length > 0) yield carry;
}

export function lineTooLong(file: string, line: number): Error {
  return recordError('RECORD_LINE_TOO_LONG', `line longer than ${MAX_LINE_BYTES} bytes; split the record or use another format`, { file, line });
}

export function countNewlines(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a, start); i !== -1 && i < end; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * Decodes a block that starts at line `firstLine` as UTF-8. When it is not valid UTF-8, returns
 * the valid lines before the first bad one and the error to raise after they are consumed, so
 * an earlier problem in the same block is still reported first.
 */
export function decodeBlock(block: Buffer, file: string, firstLine: number): { text: string; error?: Error } {
  // Pure ASCII (most JSONL) decodes faster as latin1, with the same result.
  if (isAscii(block)) return { text: block.toString('latin1') };
  if (isUtf8(block)) return { text: block.toString('utf8') };
  let start = 0;
  let line = firstLine;
  for (;;) {
    const nl = block.indexOf(0x0a, start);
    const end = nl === -1 ? block.length : nl + 1;
    if (!isUtf8(block.subarray(start, end))) {
      return {
        text: block.toString('utf8', 0, start),
        error: recordError('RECORD_INVALID_UTF8', 'invalid UTF-8; re-encode the file as UTF-8', { file, line }),
      };
    }
    start = end;
    line++;
  }
}

/** Strips a UTF-8 byte order mark (U+FEFF) at the very start of a file; Excel and others write one. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The record on one line: a JSON value (jsonl) or `{"text": line}` (text, CR of CRLF removed). */
export function lineRecord(kind: LineKind, line: string, location: SourceLocation, options?: ParseRecordOptions): ParsedRecord {
  if (kind === 'jsonl') return parseJsonRecord(line, location, options);
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  return {
    value: { text },
    get canonical() {
      return `{"text":${JSON.stringify(text)}}`;
    },
  };
}

/**
 * Calls `onRecord` for each line of decoded `text` (lines numbered from `firstLine`). A final
 * piece without '\n' is a line when non-empty: a single trailing newline never makes an extra
 * record. Returns the number of lines consumed.
 */
export function forEachLine(
  kind: LineKind,
  text: string,
  file: string,
  firstLine: number,
  onRecord: (rec: ParsedRecord, line: number) => void,
): number {
  let line = firstLine;
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) {
      if (start < text.length) {
        onRecord(lineRecord(kind, text.slice(start), { file, line }), line);
        line++;
      }
      return line - firstLine;
    }
    onRecord(lineRecord(kind, text.slice(start, nl), { file, line }), line);
    line++;
    start = nl + 1;
  }
}
