/**
 * Streaming splitter for a JSON document whose top level is an array of records: yields each
 * top-level element's bytes with the line it starts on, without holding the whole document
 * (memory is bounded by the largest element). Elements are then parsed strictly one by one.
 */
import { recordError } from './errors.js';
import { MAX_LINE_BYTES } from './lines.js';

export interface ArrayElement {
  readonly bytes: Buffer;
  readonly line: number;
}

const enum P {
  Before,
  ElemStart,
  FirstElemStart,
  InElem,
  After,
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Splits top-level array elements out of a byte stream (RFC 8259 §5 array grammar). */
export async function* splitJsonArray(source: AsyncIterable<Buffer>, file: string): AsyncGenerator<ArrayElement> {
  let phase = P.Before;
  let line = 1;
  let depth = 0;
  let inString = false;
  let escape = false;
  let pieces: Buffer[] = [];
  let size = 0;
  let elemLine = 1;
  let first = true;
  const fail = (code: string, msg: string): Error => recordError(code, msg, { file, line });

  for await (const block of source) {
    let i = 0;
    if (first) {
      first = false;
      if (block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf) i = 3;
    }
    // An element cut by the previous block continues at offset 0.
    let start = phase === P.InElem ? 0 : -1;
    const n = block.length;
    for (; i < n; i++) {
      const c = block[i] as number;
      if (c === 0x0a) line++;
      switch (phase) {
        case P.Before:
          if (c === 0x5b) phase = P.FirstElemStart;
          else if (!isWs(c)) throw fail('RECORD_JSON_NOT_ARRAY', 'the top-level JSON value is not an array of records; use .jsonl for one record per line, or wrap the records in [ ]');
          break;
        case P.FirstElemStart:
        case P.ElemStart:
          if (isWs(c)) break;
          if (c === 0x5d && phase === P.FirstElemStart) {
            phase = P.After;
            break;
          }
          if (c === 0x2c || c === 0x5d) throw fail('RECORD_JSON_SYNTAX', 'missing array element (extra comma?); remove the comma');
          phase = P.InElem;
          start = i;
          elemLine = line;
          depth = 0;
          i--; // re-read this byte inside the element
          if (c === 0x0a) line--;
          break;
        case P.InElem:
          if (inString) {
            if (escape) escape = false;
            else if (c === 0x5c) escape = true;
            else if (c === 0x22) inString = false;
            break;
          }
          if (c === 0x22) inString = true;
          else if (c === 0x7b || c === 0x5b) depth++;
          else if (c === 0x7d || (c === 0x5d && depth > 0)) depth--;
          else if (depth === 0 && (c === 0x2c || c === 0x5d)) {
            pieces.push(block.subarray(start, i));
            const bytes = Buffer.concat(pieces);
            pieces = [];
            size = 0;
            start = -1;
            phase = c === 0x2c ? P.ElemStart : P.After;
            yield { bytes, line: elemLine };
          }
          break;
        case P.After:
          if (!isWs(c)) throw fail('RECORD_JSON_TRAILING', 'data after the closing ] of the top-level array; remove it');
          break;
      }
    }
    if (phase === P.InElem && start !== -1) {
      // Copy: the source may reuse its buffer.
      const rest = Buffer.from(block.subarray(start));
      pieces.push(rest);
      size += rest.length;
      if (size > MAX_LINE_BYTES) throw recordError('RECORD_LINE_TOO_LONG', `array element larger than ${MAX_LINE_BYTES} bytes`, { file, line: elemLine });
    }
  }
  if (phase === P.Before) throw fail('RECORD_JSON_NOT_ARRAY', 'the file holds no JSON value; expected an array of records');
  if ((phase as P) !== P.After) throw fail('RECORD_JSON_TRUNCATED', 'the top-level array is not closed (truncated file?); fetch the file again');
}
