/** readRecords: one streaming reader per format, all yielding RecordItem in file order. */
import { isUtf8 } from 'node:buffer';
import { checkHeader, DelimitedParser, rowValue } from './csv.js';
import { recordError } from './errors.js';
import { detectFormat } from './format.js';
import { splitJsonArray } from './json-array.js';
import { parseJsonRecord, type ParsedRecord } from './json-record.js';
import { decodeBlock, lineRecord, newlineBlocks, stripBom, type LineKind } from './lines.js';
import { readParquetRows } from './parquet.js';

export { parquetRowGroups } from './parquet.js';

/** Records of row groups [from, to) of a Parquet file (indices and rows are those of the whole file). */
export async function* readParquetRowGroups(absPath: string, file: string, from: number, to: number): AsyncGenerator<RecordItem> {
  for await (const [row, value] of readParquetRows(absPath, file, { from, to })) yield { file, index: row - 1, row, value };
}
import { readBytes } from './bytes.js';
import type { RecordFormat, RecordItem } from './types.js';

export interface ReadOptions {
  /** Path reported in records and errors (POSIX, relative to the delivery root). */
  readonly file: string;
  /** Overrides the format detected from the extension. */
  readonly format?: RecordFormat;
}

/** Values are handed out with their keys as written (nothing here needs the canonical text). */
const SOURCE_ORDER = { keyOrder: 'source' } as const;

/**
 * Streams the records of a file as JSON values, objects keeping the key order of the file (memory
 * bounded by the largest record or Parquet row group). Throws a coded RecordError on the first problem; never yields a partial result silently.
 */
export async function* readRecords(absPath: string, options: ReadOptions): AsyncGenerator<RecordItem> {
  const { file } = options;
  const spec = detectFormat(absPath, options.format);
  if (spec.format === 'parquet') {
    for await (const [row, value] of readParquetRows(absPath, file)) yield { file, index: row - 1, row, value };
    return;
  }
  yield* recordsFromBytes(spec.format, readBytes(absPath, spec.gzip, file), file);
}

/** Records of a byte stream in a streamable (non-Parquet) format. */
export function recordsFromBytes(format: Exclude<RecordFormat, 'parquet'>, bytes: AsyncIterable<Buffer>, file: string): AsyncGenerator<RecordItem> {
  switch (format) {
    case 'jsonl':
    case 'text':
      return readLines(format, bytes, file);
    case 'json':
      return readJsonArray(bytes, file);
    case 'csv':
    case 'tsv':
      return readDelimited(format, bytes, file);
  }
}

async function* readLines(kind: LineKind, bytes: AsyncIterable<Buffer>, file: string): AsyncGenerator<RecordItem> {
  let line = 1;
  let index = 0;
  for await (const block of newlineBlocks(bytes, file)) {
    // Each line is decoded on its own: a block decoded whole becomes one two-byte string as soon
    // as it holds a single character above U+00FF, and every record sliced from it (and every
    // detector pass over it) then runs on two-byte text. Validity is checked once per block.
    const valid = isUtf8(block);
    let start = line === 1 && hasBom(block) ? 3 : 0;
    const items: RecordItem[] = [];
    while (start < block.length) {
      const nl = block.indexOf(0x0a, start);
      const end = nl === -1 ? block.length : nl;
      if (!valid && !isUtf8(block.subarray(start, nl === -1 ? end : nl + 1))) {
        yield* items;
        throw recordError('RECORD_INVALID_UTF8', 'invalid UTF-8; re-encode the file as UTF-8', { file, line });
      }
      let rec: ParsedRecord;
      try {
        rec = lineRecord(kind, block.toString('utf8', start, end), { file, line }, SOURCE_ORDER);
      } catch (err) {
        // The records before a bad line are handed out first, wherever the stream was cut.
        yield* items;
        throw err;
      }
      items.push({ file, index: index++, line, value: rec.value });
      line++;
      start = end + 1;
    }
    yield* items;
  }
}

/** Whether a block starts with a UTF-8 byte order mark (EF BB BF); Excel and others write one. */
function hasBom(block: Buffer): boolean {
  return block.length >= 3 && block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf;
}

async function* readJsonArray(bytes: AsyncIterable<Buffer>, file: string): AsyncGenerator<RecordItem> {
  let index = 0;
  for await (const el of splitJsonArray(bytes, file)) {
    if (!isUtf8(el.bytes)) throw recordError('RECORD_INVALID_UTF8', 'invalid UTF-8; re-encode the file as UTF-8', { file, line: el.line });
    const rec = parseJsonRecord(el.bytes.toString('utf8'), { file, line: el.line }, SOURCE_ORDER);
    yield { file, index: index++, line: el.line, value: rec.value };
  }
}

async function* readDelimited(kind: 'csv' | 'tsv', bytes: AsyncIterable<Buffer>, file: string): AsyncGenerator<RecordItem> {
  const parser = new DelimitedParser(kind, file);
  let header: string[] | undefined;
  let line = 1;
  let index = 0;
  const take = function* (rows: ReturnType<DelimitedParser['feed']>): Generator<RecordItem> {
    for (const row of rows) {
      if (!header) {
        checkHeader(row.fields, file);
        header = row.fields;
        continue;
      }
      const dataRow = index + 1;
      yield { file, index: index++, row: dataRow, line: row.line, value: rowValue(header, row, dataRow, file) };
    }
  };
  for await (const block of newlineBlocks(bytes, file)) {
    const { text, error } = decodeBlock(block, file, line);
    yield* take(parser.feed(line === 1 ? stripBom(text) : text));
    if (error) throw error;
    line += countLines(text);
  }
  yield* take(parser.finish());
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
