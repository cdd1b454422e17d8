/**
 * Parquet reader: row group by row group (hyparquet over a file handle, codecs from
 * hyparquet-compressors), each row turned into a JSON value.
 *
 * Parquet → JSON type mapping (record digests are taken over this JSON; README copies it):
 *
 * | Parquet (physical / logical)                  | JSON value                                             |
 * |-----------------------------------------------|--------------------------------------------------------|
 * | null (any column)                             | null                                                   |
 * | BOOLEAN                                       | true / false                                           |
 * | INT32, INT16, INT8, UINT*, and INT64 within   | number                                                 |
 * |   ±(2^53-1)                                   |                                                        |
 * | INT64 / UINT64 beyond ±(2^53-1)               | string of decimal digits, e.g. "9007199254740993"      |
 * | FLOAT, DOUBLE, FLOAT16                        | number (FLOAT widened to double: 0.1f → 0.10000000149011612) |
 * |   NaN or ±Infinity                            | refused (RECORD_PARQUET_VALUE): JSON cannot hold them  |
 * | STRING / UTF8 / ENUM                          | string (invalid UTF-8 refused: RECORD_INVALID_UTF8)    |
 * | BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY, no annotation | {"$base64": "<RFC 4648 base64>"}                    |
 * | JSON                                          | the parsed JSON value (strict: duplicate keys refused) |
 * | DECIMAL(p, s), p ≤ 15                         | string with exactly s decimals, e.g. "12.50"           |
 * | DECIMAL(p, s), p > 15                         | refused (RECORD_PARQUET_UNSUPPORTED)                   |
 * | DATE                                          | "YYYY-MM-DD"                                           |
 * | TIMESTAMP(MILLIS/MICROS/NANOS), INT96         | ISO 8601 UTC with 3/6/9 fraction digits, e.g. "2024-05-01T12:00:00.000000Z" |
 * | UUID                                          | "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"                 |
 * | LIST / repeated                               | array                                                  |
 * | STRUCT (group), MAP                           | object (as hyparquet assembles it)                     |
 * | GEOMETRY / GEOGRAPHY                          | GeoJSON object                                         |
 *
 * Every row is an object keyed by the top-level column names, in schema order (key order does
 * not matter: the digest is over RFC 8785 canonical JSON).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { compressors } from 'hyparquet-compressors';
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import { parseStrictJson } from '../core/index.js';
import { recordError } from './errors.js';
import { ioError } from './bytes.js';

/** A value hyparquet could not convert; raised as an error at its row when the row is mapped. */
class BadValue {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array | undefined): string | undefined | BadValue {
  if (bytes === undefined || bytes === null) return bytes;
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return new BadValue('RECORD_INVALID_UTF8', 'string column holds invalid UTF-8; re-encode it as UTF-8');
  }
}

/** ISO 8601 UTC from an integer count of `perSecond` units since the epoch, `digits` fraction digits. */
function isoFromUnits(units: bigint, perSecond: bigint, digits: number): string | BadValue {
  let secs = units / perSecond;
  let frac = units % perSecond;
  if (frac < 0n) {
    frac += perSecond;
    secs -= 1n;
  }
  const d = new Date(Number(secs) * 1000);
  if (Number.isNaN(d.getTime())) return new BadValue('RECORD_PARQUET_VALUE', 'timestamp outside the representable range');
  return `${d.toISOString().slice(0, -5)}.${frac.toString().padStart(digits, '0')}Z`;
}

const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => isoFromUnits(BigInt(v), 1000n, 3),
  timestampFromMicroseconds: (v: bigint) => isoFromUnits(BigInt(v), 1000000n, 6),
  timestampFromNanoseconds: (v: bigint) => isoFromUnits(BigInt(v), 1000000000n, 9),
  dateFromDays: (days: number): string | BadValue => {
    const d = new Date(days * 86400000);
    return Number.isNaN(d.getTime()) ? new BadValue('RECORD_PARQUET_VALUE', 'date outside the representable range') : d.toISOString().slice(0, -14);
  },
  stringFromBytes: decodeUtf8,
  jsonFromBytes: (bytes: Uint8Array | undefined): unknown => {
    const text = decodeUtf8(bytes);
    if (typeof text !== 'string') return text;
    try {
      return parseStrictJson(text);
    } catch (err) {
      return new BadValue('RECORD_PARQUET_VALUE', `JSON column holds invalid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  },
};

/** AsyncBuffer over an open file handle: hyparquet reads only the byte ranges it needs. */
export function handleBuffer(fh: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const len = Math.max(0, stop - start);
      const buf = new Uint8Array(len);
      let got = 0;
      while (got < len) {
        const { bytesRead } = await fh.read(buf, got, len - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.buffer.slice(0, got);
    },
  };
}

function isDecimal(e: SchemaElement): boolean {
  return e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL';
}

/** Top-level decimal columns → scale; refuses decimals we cannot render exactly. */
function decimalColumns(meta: FileMetaData, file: string): Map<string, number> {
  const out = new Map<string, number>();
  const root = meta.schema[0];
  let idx = 1;
  const walk = (count: number, top: boolean): void => {
    for (let k = 0; k < count; k++) {
      const e = meta.schema[idx++];
      if (!e) return;
      if (isDecimal(e)) {
        const precision = e.precision ?? (e.logical_type?.type === 'DECIMAL' ? e.logical_type.precision : undefined) ?? 99;
        const scale = e.scale ?? (e.logical_type?.type === 'DECIMAL' ? e.logical_type.scale : undefined) ?? 0;
        if (!top || precision > 15) {
          throw recordError('RECORD_PARQUET_UNSUPPORTED', `decimal column ${JSON.stringify(e.name)} (precision ${precision}${top ? '' : ', nested'}) cannot be read exactly; cast it to string before export`, { file });
        }
        out.set(e.name, scale);
      }
      walk(e.num_children ?? 0, false);
    }
  };
  walk(root?.num_children ?? 0, true);
  return out;
}

/** Turns one hyparquet value into a JSON value (mapping above); throws at `row`. */
function toJson(v: unknown, file: string, row: number, path: string): unknown {
  const fail = (code: string, msg: string): never => {
    throw recordError(code, msg, { file, row, path });
  };
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (!Number.isFinite(v)) fail('RECORD_PARQUET_VALUE', `${v} cannot be represented in JSON; replace it with null or a string`);
      return v;
    case 'bigint':
      return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
    case 'object':
      break;
    default:
      return fail('RECORD_PARQUET_UNSUPPORTED', `value of type ${typeof v} has no JSON form`);
  }
  if (v instanceof BadValue) return fail(v.code, v.message);
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) fail('RECORD_PARQUET_VALUE', 'invalid date');
    return v.toISOString();
  }
  if (v instanceof Uint8Array) return { $base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map((x, i) => toJson(x, file, row, `${path}[${i}]`));
  if (ArrayBuffer.isView(v)) {
    const arr = Array.from(v as unknown as ArrayLike<unknown>);
    return arr.map((x, i) => toJson(x, file, row, `${path}[${i}]`));
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return fail('RECORD_PARQUET_UNSUPPORTED', 'value of an unsupported Parquet type; cast it to string before export');
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toJson(x, file, row, `${path}.${k}`)]));
}

/** Row groups of a Parquet file (rows and compressed bytes of each), read from its footer. */
export async function parquetRowGroups(absPath: string, file: string): Promise<Array<{ rows: number; bytes: number }>> {
  let fh: FileHandle;
  try {
    fh = await open(absPath, 'r');
  } catch (err) {
    throw ioError(err, file);
  }
  try {
    const size = (await fh.stat()).size;
    let meta: FileMetaData;
    try {
      meta = await parquetMetadataAsync(handleBuffer(fh, size));
    } catch (err) {
      throw recordError('RECORD_PARQUET_INVALID', `not a readable Parquet file (${err instanceof Error ? err.message : String(err)}); the file may be truncated`, { file }, err);
    }
    return meta.row_groups.map((g) => ({ rows: Number(g.num_rows), bytes: Number(g.total_compressed_size ?? g.total_byte_size) }));
  } finally {
    await fh.close();
  }
}

/**
 * Yields each row of a Parquet file as [1-based row number, JSON value], one row group at a time;
 * `groups` limits it to row groups [from, to) (row numbers stay those of the whole file).
 */
export async function* readParquetRows(absPath: string, file: string, groups?: { readonly from: number; readonly to: number }): AsyncGenerator<[number, unknown]> {
  let fh: FileHandle;
  try {
    fh = await open(absPath, 'r');
  } catch (err) {
    throw ioError(err, file);
  }
  try {
    const size = (await fh.stat()).size;
    const asyncBuffer = handleBuffer(fh, size);
    let meta: FileMetaData;
    try {
      meta = await parquetMetadataAsync(asyncBuffer);
    } catch (err) {
      throw recordError('RECORD_PARQUET_INVALID', `not a readable Parquet file (${err instanceof Error ? err.message : String(err)}); the file may be truncated`, { file }, err);
    }
    const decimals = decimalColumns(meta, file);
    let rowStart = 0;
    for (let g = 0; g < meta.row_groups.length; g++) {
      const group = meta.row_groups[g];
      const groupRows = Number(group?.num_rows ?? 0);
      const rowEnd = rowStart + groupRows;
      if (groups && (g < groups.from || g >= groups.to)) {
        rowStart = rowEnd;
        continue;
      }
      let rows: Record<string, unknown>[];
      try {
        rows = (await parquetReadObjects({ file: asyncBuffer, metadata: meta, rowStart, rowEnd, compressors, utf8: false, parsers: PARSERS })) as Record<string, unknown>[];
      } catch (err) {
        throw recordError(
          'RECORD_PARQUET_INVALID',
          `row group ${g} (rows ${rowStart + 1}–${rowEnd}) is corrupt or truncated (${err instanceof Error ? err.message : String(err)})`,
          { file, row: rowStart + 1 },
          err,
        );
      }
      if (rows.length !== groupRows) {
        throw recordError('RECORD_PARQUET_INVALID', `row group ${g} holds ${rows.length} rows, its metadata says ${groupRows}`, { file, row: rowStart + 1 });
      }
      for (let r = 0; r < rows.length; r++) {
        const rowNo = rowStart + r + 1;
        const raw = rows[r] as Record<string, unknown>;
        const value = toJson(raw, file, rowNo, '$') as Record<string, unknown>;
        for (const [col, scale] of decimals) {
          const x = raw[col];
          if (typeof x === 'number') value[col] = x.toFixed(scale);
        }
        yield [rowNo, value];
      }
      rowStart = rowEnd;
    }
  } finally {
    await fh.close();
  }
}
