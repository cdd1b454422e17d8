/** Shared types of the records layer (DESIGN §2). */

/** Formats a delivery file can be read as. `.gz` is orthogonal (see FormatSpec.gzip). */
export type RecordFormat = 'jsonl' | 'json' | 'csv' | 'tsv' | 'parquet' | 'text';

export const RECORD_FORMATS: readonly RecordFormat[] = ['jsonl', 'json', 'csv', 'tsv', 'parquet', 'text'];

export interface FormatSpec {
  readonly format: RecordFormat;
  readonly gzip: boolean;
}

/** One training example, as a JSON value, with where it came from. */
export interface RecordItem {
  /** POSIX path relative to the delivery root (or the file name for a single-file delivery). */
  readonly file: string;
  /** 0-based record index within the file. */
  readonly index: number;
  /** 1-based line where the record starts (jsonl, text, and json arrays). */
  readonly line?: number;
  /** 1-based data row (csv/tsv: header excluded; parquet: row number). */
  readonly row?: number;
  readonly value: unknown;
}

/** Result of reading one file once: file digest and every record digest, in file order. */
export interface FileScan {
  readonly file: string;
  readonly format: RecordFormat;
  readonly gzip: boolean;
  /** Size in bytes of the file as stored (compressed size for .gz). */
  readonly size: number;
  /** Lowercase hex SHA-256 of the file bytes as stored. */
  readonly sha256: string;
  readonly records: number;
  /** records × 32 bytes: SHA-256 of the RFC 8785 canonical JSON of each record, in file order. */
  readonly digests: Buffer;
  /** For each record, its 1-based line (positionKind 'line') or data row ('row'). */
  readonly positions: Uint32Array;
  readonly positionKind: 'line' | 'row';
  /** Lowercase hex RFC 9162 root over this file's record digests in order. */
  readonly recordRoot: string;
}
