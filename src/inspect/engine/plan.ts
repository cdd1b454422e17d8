/**
 * Splitting a delivery into shards, shared by the single-process engine (worker threads take
 * whole shards) and the distributed one (workers on other machines). Plain JSONL and text files
 * larger than `shardBytes` are cut into byte ranges just after a '\n' (a newline byte never sits
 * inside a UTF-8 sequence), each carrying the line it starts on, so records keep their real index
 * and line; large Parquet files are cut at row-group boundaries; other formats (gzip, CSV/TSV
 * whose quoted fields may span lines, JSON arrays) are one shard per file.
 */
import { open, stat } from 'node:fs/promises';
import { detectFormat, parquetRowGroups, type RecordFormat } from '../../records/index.js';
import { InspectError } from './errors.js';
import type { Shard } from './shard.js';
import type { InspectFile } from './walk.js';

/** Default target shard size of the single-process engine: a few MB keeps every worker busy and memory bounded. */
export const LOCAL_SHARD_BYTES = 4 * 1024 * 1024;

const BOM = [0xef, 0xbb, 0xbf];
const READ = 1 << 20;

export interface PlanShardsOptions {
  /** Read every file as this format instead of by extension. */
  readonly format?: RecordFormat;
  /** Target shard size in bytes (default LOCAL_SHARD_BYTES). */
  readonly shardBytes?: number;
  /** Builds the error for a file that cannot be stat'ed (default INSPECT_PATH_MISSING). */
  readonly unreadable?: (file: InspectFile, err: unknown) => Error;
}

function defaultUnreadable(f: InspectFile, err: unknown): Error {
  return new InspectError('INSPECT_PATH_MISSING', `cannot read ${f.path} (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); check the path`, { location: { file: f.path }, cause: err });
}

/**
 * Cut points of a line file: offsets just after a '\n', about `shardBytes` apart, with the line
 * starting there. A cut is never placed before a line starting with a UTF-8 BOM, which the reader
 * strips only at the start of a file.
 */
async function lineCuts(absPath: string, size: number, shardBytes: number): Promise<{ offset: number; line: number }[]> {
  const cuts: { offset: number; line: number }[] = [];
  const fh = await open(absPath, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ);
    const peek = Buffer.alloc(3);
    let pos = 0;
    let line = 1;
    let next = shardBytes;
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(READ, size - pos), pos);
      if (bytesRead === 0) break;
      for (let i = buf.indexOf(0x0a, 0); i !== -1 && i < bytesRead; i = buf.indexOf(0x0a, i + 1)) {
        line++;
        const at = pos + i + 1;
        if (at < next || at >= size) continue;
        let bom: boolean;
        if (i + 3 < bytesRead) bom = buf[i + 1] === BOM[0] && buf[i + 2] === BOM[1] && buf[i + 3] === BOM[2];
        else {
          const { bytesRead: n } = await fh.read(peek, 0, 3, at);
          bom = n === 3 && peek[0] === BOM[0] && peek[1] === BOM[1] && peek[2] === BOM[2];
        }
        if (bom) continue;
        cuts.push({ offset: at, line });
        next = at + shardBytes;
      }
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return cuts;
}

/** Plans the shards of `files` (in delivery order): line ranges for large plain JSONL/text, row groups for large Parquet, else whole files. */
export async function planShards(files: readonly InspectFile[], options: PlanShardsOptions = {}): Promise<Shard[]> {
  const shardBytes = Math.max(1, Math.floor(options.shardBytes ?? LOCAL_SHARD_BYTES));
  const unreadable = options.unreadable ?? defaultUnreadable;
  const shards: Shard[] = [];
  for (const f of files) {
    let st;
    try {
      st = await stat(f.absPath);
    } catch (err) {
      throw unreadable(f, err);
    }
    const spec = detectFormat(f.absPath, options.format);
    const base = { file: f.path, absPath: f.absPath, size: st.size, mtimeMs: st.mtimeMs };
    if (spec.format === 'parquet' && st.size > shardBytes) {
      // Row groups are Parquet's own unit of independent reading: whole groups, about shardBytes each.
      const groups = await parquetRowGroups(f.absPath, f.path);
      let from = 0;
      let acc = 0;
      for (let g = 0; g < groups.length; g++) {
        acc += groups[g]?.bytes ?? 0;
        if (acc >= shardBytes || g === groups.length - 1) {
          shards.push({ ...base, source: { kind: 'rowGroups', from, to: g + 1 } });
          from = g + 1;
          acc = 0;
        }
      }
      if (groups.length === 0) shards.push({ ...base, source: { kind: 'file' } });
      continue;
    }
    if ((spec.format !== 'jsonl' && spec.format !== 'text') || spec.gzip || st.size <= shardBytes) {
      shards.push({ ...base, source: { kind: 'file' } });
      continue;
    }
    const format = spec.format;
    let start = 0;
    let firstLine = 1;
    for (const cut of [...(await lineCuts(f.absPath, st.size, shardBytes)), { offset: st.size, line: 0 }]) {
      shards.push({ ...base, source: { kind: 'lines', format, start, end: cut.offset, firstLine } });
      start = cut.offset;
      firstLine = cut.line;
    }
  }
  return shards;
}

/** Bytes of the file a shard covers (a row-group shard counts its share of groups only at the file's last shard). */
export function shardBytesOf(shard: Shard, lastOfFile: boolean): number {
  const s = shard.source;
  if (s.kind === 'lines') return s.end - s.start;
  if (s.kind === 'file') return shard.size;
  return lastOfFile ? shard.size : 0;
}
