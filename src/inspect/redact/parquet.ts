/**
 * Redacted copy of one Parquet file: the source footer's schema is written back unchanged (same
 * column names, physical types, logical/converted annotations, repetition, field ids), string
 * values go through the caller's redaction, every other value is carried over as the raw
 * physical value the file stored (no JSON detour), so it round-trips bit for bit.
 *
 * Supported: top-level primitive columns, REQUIRED or OPTIONAL, of the kinds in `columnKind`.
 * Anything else (nested groups, repeated fields, INT96, DECIMAL, FLOAT16, JSON, BSON, ENUM,
 * INTERVAL, TIME, UINT_64, GEOMETRY/GEOGRAPHY, VARIANT, ...) is refused before anything is
 * written: the writer either cannot reproduce it or we have not proven that it does.
 *
 * Memory: one source row group is decoded, redacted and encoded at a time and becomes one row
 * group of the copy (the same bound readRecords has for Parquet); the encoded group is flushed
 * to disk before the next one is read. Key/value metadata of the footer is not copied: it is
 * free text that inspection never scans, so it could carry what the copy promises to remove.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { compressors } from 'hyparquet-compressors';
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter, type ColumnSource } from 'hyparquet-writer';
import { parquetFileBuffer, RecordError } from '../../records/index.js';
import { RedactError } from './errors.js';

/** How a column's values are carried into the copy. */
type ColumnKind = 'string' | 'raw';

export interface ParquetPlan {
  readonly meta: FileMetaData;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnKind }>;
}

/** Why a column cannot be copied, or its kind. */
function columnKind(e: SchemaElement): ColumnKind | string {
  const ct = e.converted_type;
  const lt = e.logical_type?.type;
  if ((e.num_children ?? 0) > 0 || e.type === undefined) return 'a nested group';
  if (e.repetition_type === 'REPEATED') return `repeated ${e.type}`;
  switch (e.type) {
    case 'BYTE_ARRAY':
      if (ct === 'UTF8' || lt === 'STRING') return 'string';
      if (ct === undefined && lt === undefined) return 'raw';
      break;
    case 'BOOLEAN':
    case 'FLOAT':
    case 'DOUBLE':
      if (ct === undefined && lt === undefined) return 'raw';
      break;
    case 'INT32':
      // The reader maps UINT_32 to unsigned numbers and the writer maps them back; DATE stays days.
      if ((ct === undefined || ['INT_8', 'INT_16', 'INT_32', 'UINT_8', 'UINT_16', 'UINT_32', 'DATE'].includes(ct)) && (lt === undefined || lt === 'INTEGER' || lt === 'DATE')) return 'raw';
      break;
    case 'INT64': {
      const unsigned = ct === 'UINT_64' || (e.logical_type?.type === 'INTEGER' && !e.logical_type.isSigned);
      if (!unsigned && (ct === undefined || ct === 'INT_64' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS') && (lt === undefined || lt === 'INTEGER' || lt === 'TIMESTAMP')) return 'raw';
      break;
    }
    case 'FIXED_LEN_BYTE_ARRAY':
      if ((ct === undefined && lt === undefined) || (ct === undefined && lt === 'UUID')) return 'raw';
      break;
    default:
      break;
  }
  return [e.type, ct, lt !== undefined && lt !== ct ? lt : undefined].filter((x) => x !== undefined).join(' ');
}


function unsupported(file: string, what: string): RedactError {
  return new RedactError('REDACT_FORMAT_UNSUPPORTED', `cannot write a redacted copy of Parquet file ${file}: ${what}; cast it to a supported type or convert the file to JSONL`, { location: { file } });
}

function ioCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
}

async function openFile(absPath: string, file: string): Promise<FileHandle> {
  try {
    return await open(absPath, 'r');
  } catch (err) {
    throw new RecordError('RECORD_IO', `cannot read ${file} (${ioCode(err)})`, { location: { file }, cause: err });
  }
}

async function readMeta(fh: FileHandle, file: string): Promise<{ meta: FileMetaData; buffer: AsyncBuffer }> {
  const buffer = parquetFileBuffer(fh, (await fh.stat()).size);
  try {
    return { meta: await parquetMetadataAsync(buffer), buffer };
  } catch (err) {
    throw new RecordError('RECORD_PARQUET_INVALID', `not a readable Parquet file (${err instanceof Error ? err.message : String(err)}); the file may be truncated`, { location: { file }, cause: err });
  }
}

/**
 * Reads the footer and checks that every column can be copied exactly; throws
 * REDACT_FORMAT_UNSUPPORTED naming the first column that cannot. Call before writing anything.
 */
export async function planParquetRedaction(absPath: string, file: string): Promise<ParquetPlan> {
  const fh = await openFile(absPath, file);
  try {
    const { meta } = await readMeta(fh, file);
    const root = meta.schema[0];
    const count = root?.num_children ?? 0;
    if (meta.schema.length !== count + 1) {
      // A leaf count that differs from the element count means some top-level column has children.
      const nested = meta.schema.slice(1).find((e) => (e.num_children ?? 0) > 0);
      throw unsupported(file, `column ${JSON.stringify(nested?.name ?? '?')} is a nested group, which the redacted copy does not rebuild`);
    }
    const seen = new Set<string>();
    const columns: { name: string; kind: ColumnKind }[] = [];
    for (const e of meta.schema.slice(1)) {
      if (seen.has(e.name)) throw unsupported(file, `column name ${JSON.stringify(e.name)} appears twice`);
      seen.add(e.name);
      const kind = columnKind(e);
      if (kind !== 'string' && kind !== 'raw') throw unsupported(file, `column ${JSON.stringify(e.name)} has type ${kind}, which the Parquet writer cannot reproduce exactly`);
      columns.push({ name: e.name, kind });
    }
    return { meta, columns };
  } finally {
    await fh.close();
  }
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextEncoder();

/** A string value that is not valid UTF-8; raised at its row. */
class BadUtf8 {}

/** Parsers that keep the stored physical values (timestamps as bigint units, dates as days, UUID bytes). */
const RAW_PARSERS = {
  timestampFromMilliseconds: (v: bigint): bigint => v,
  timestampFromMicroseconds: (v: bigint): bigint => v,
  timestampFromNanoseconds: (v: bigint): bigint => v,
  dateFromDays: (days: number): number => days,
  stringFromBytes: (bytes: Uint8Array | undefined): string | undefined | BadUtf8 => {
    if (bytes === undefined || bytes === null) return bytes;
    try {
      return fatalUtf8.decode(bytes);
    } catch {
      return new BadUtf8();
    }
  },
  jsonFromBytes: (bytes: Uint8Array | undefined): Uint8Array | undefined => bytes,
  geometryFromBytes: (bytes: Uint8Array | undefined): Uint8Array | undefined => bytes,
  geographyFromBytes: (bytes: Uint8Array | undefined): Uint8Array | undefined => bytes,
  uuidFromBytes: (bytes: Uint8Array | undefined): Uint8Array | undefined => bytes,
};

type WriterSchema = ConstructorParameters<typeof ParquetWriter>[0]['schema'];

/**
 * The writer is typed against its own pinned hyparquet (1.31), the reader against ours (1.33);
 * the SchemaElement shapes differ only in logical types columnKind refuses, so the cast is sound.
 */
function writerSchema(schema: readonly SchemaElement[]): WriterSchema {
  return schema.map((e) => ({ ...e })) as unknown as WriterSchema;
}

/** Writer that flushes each encoded row group to the file handle (ParquetWriter awaits flush). */
function fileWriter(fh: FileHandle): ByteWriter {
  const w = new ByteWriter(1 << 16);
  const flush = async (): Promise<void> => {
    const bytes = new Uint8Array(w.buffer, 0, w.index);
    let done = 0;
    while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done)).bytesWritten;
    w.index = 0;
  };
  Object.assign(w, { flush, finish: flush });
  return w;
}

/**
 * Writes the redacted copy of a planned Parquet file to `dest` (which must not exist), one source
 * row group at a time; `redact` maps a string to its redacted form.
 */
export async function redactParquetFile(
  absPath: string,
  file: string,
  dest: string,
  plan: ParquetPlan,
  redact: (s: string) => string,
  onRows?: (n: number) => void,
): Promise<{ records: number; redacted: number }> {
  const src = await openFile(absPath, file);
  let out: FileHandle | undefined;
  try {
    // Read with the footer that was checked, so the copy's schema and the decoded columns agree
    // even if the file changed since the plan (a changed file then fails to decode, coded).
    const meta = plan.meta;
    const buffer = parquetFileBuffer(src, (await src.stat()).size);
    out = await open(dest, 'wx');
    const writer = new ParquetWriter({ writer: fileWriter(out), schema: writerSchema(plan.meta.schema), codec: 'SNAPPY', createdBy: 'provenant redact' });
    let rowStart = 0;
    let changed = 0;
    for (let g = 0; g < meta.row_groups.length; g++) {
      const groupRows = Number(meta.row_groups[g]?.num_rows ?? 0);
      const rowEnd = rowStart + groupRows;
      let rows: Record<string, unknown>[];
      try {
        rows = (await parquetReadObjects({ file: buffer, metadata: meta, rowStart, rowEnd, compressors, utf8: false, parsers: RAW_PARSERS })) as Record<string, unknown>[];
      } catch (err) {
        throw new RecordError('RECORD_PARQUET_INVALID', `row group ${g} (rows ${rowStart + 1}–${rowEnd}) is corrupt or truncated (${err instanceof Error ? err.message : String(err)})`, { location: { file, row: rowStart + 1 }, cause: err });
      }
      if (rows.length !== groupRows) {
        throw new RecordError('RECORD_PARQUET_INVALID', `row group ${g} holds ${rows.length} rows, its metadata says ${groupRows}`, { location: { file, row: rowStart + 1 } });
      }
      const data = plan.columns.map(() => new Array<unknown>(rows.length));
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r] ?? {};
        let rowChanged = false;
        for (let c = 0; c < plan.columns.length; c++) {
          const col = plan.columns[c];
          const cells = data[c];
          if (!col || !cells) continue;
          let v = row[col.name];
          if (v instanceof BadUtf8) {
            throw new RecordError('RECORD_INVALID_UTF8', 'string column holds invalid UTF-8; re-encode it as UTF-8', { location: { file, row: rowStart + r + 1, path: `$.${col.name}` } });
          }
          if (col.kind === 'string' && typeof v === 'string') {
            const red = redact(v);
            if (red !== v) rowChanged = true;
            // Handed over as bytes: the writer encodes strings only for the UTF8 converted type.
            v = utf8.encode(red);
          }
          cells[r] = v === undefined ? null : v;
        }
        if (rowChanged) changed++;
      }
      if (rows.length > 0) {
        const columnData = plan.columns.map((col, c) => ({ name: col.name, data: data[c] ?? [] }) as ColumnSource);
        await writer.write({ columnData, rowGroupSize: rows.length });
      }
      rowStart = rowEnd;
      onRows?.(rowStart);
    }
    await writer.finish();
    return { records: rowStart, redacted: changed };
  } finally {
    await src.close();
    await out?.close();
  }
}
