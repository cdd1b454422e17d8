/** Record format detection by file extension (DESIGN §2), overridable with --format. */
import { basename } from 'node:path';
import { recordError } from './errors.js';
import { RECORD_FORMATS, type FormatSpec, type RecordFormat } from './types.js';

const BY_EXTENSION: Readonly<Record<string, RecordFormat>> = {
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'json',
  csv: 'csv',
  tsv: 'tsv',
  parquet: 'parquet',
  txt: 'text',
  text: 'text',
};

/** True when `s` names a record format (for validating a --format flag). */
export function isRecordFormat(s: unknown): s is RecordFormat {
  return typeof s === 'string' && (RECORD_FORMATS as readonly string[]).includes(s);
}

/**
 * Format of `path` from its extension (`.jsonl`, `.ndjson`, `.json`, `.csv`, `.tsv`, `.parquet`,
 * `.txt`, `.text`, each optionally followed by `.gz`). `override` replaces the detected format; gzip
 * is still taken from a trailing `.gz`. Throws RECORD_FORMAT_UNKNOWN when neither decides.
 */
export function detectFormat(path: string, override?: RecordFormat): FormatSpec {
  const name = basename(path).toLowerCase();
  const gzip = name.endsWith('.gz');
  const stem = gzip ? name.slice(0, -3) : name;
  if (override !== undefined) {
    if (!isRecordFormat(override)) {
      throw recordError('RECORD_FORMAT_UNKNOWN', `unknown format ${JSON.stringify(override)}; use one of ${RECORD_FORMATS.join(', ')}`, { file: path });
    }
    if (override === 'parquet' && gzip) {
      throw recordError('RECORD_FORMAT_UNKNOWN', 'gzip-compressed Parquet is not supported (Parquet compresses its pages itself); decompress the file', { file: path });
    }
    return { format: override, gzip };
  }
  const dot = stem.lastIndexOf('.');
  const ext = dot > 0 ? stem.slice(dot + 1) : '';
  const format = Object.prototype.hasOwnProperty.call(BY_EXTENSION, ext) ? BY_EXTENSION[ext] : undefined;
  if (format === undefined || (format === 'parquet' && gzip)) {
    throw recordError(
      'RECORD_FORMAT_UNKNOWN',
      `cannot tell the record format from the file name; pass --format ${RECORD_FORMATS.join('|')}`,
      { file: path },
    );
  }
  return { format, gzip };
}
