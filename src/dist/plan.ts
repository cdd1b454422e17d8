/**
 * Splitting a delivery into shards. Plain JSONL and text files larger than `shardBytes` are cut
 * into byte ranges just after a '\n' (a newline byte never sits inside a UTF-8 sequence), each
 * carrying the line it starts on, so records keep their real index and line; other formats
 * (gzip, CSV/TSV whose quoted fields may span lines, JSON arrays, Parquet) are one shard per file.
 */
import { open, stat } from 'node:fs/promises';
import type { InspectFile, Shard } from '../inspect/index.js';
import { detectFormat, parquetRowGroups, type RecordFormat } from '../records/index.js';
import { DistError } from './errors.js';

/** Default target shard size: large enough that queue overhead vanishes, small enough to spread. */
export const DEFAULT_SHARD_BYTES = 64 * 1024 * 1024;

const BOM = [0xef, 0xbb, 0xbf];
const READ = 1 << 20;

async function fileStamp(f: InspectFile): Promise<{ size: number; mtimeMs: number }> {
  try {
    const st = await stat(f.absPath);
    return { size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    throw new DistError('DIST_SHARD_UNREADABLE', `cannot read ${f.path} (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); check the path`, { location: { file: f.path }, cause: err });
  }
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
        const { bytesRead: n } = await fh.read(peek, 0, 3, at);
        if (n === 3 && peek[0] === BOM[0] && peek[1] === BOM[1] && peek[2] === BOM[2]) continue;
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
export async function planShards(files: readonly InspectFile[], options: { format?: RecordFormat; shardBytes?: number } = {}): Promise<Shard[]> {
  const shardBytes = Math.max(1, Math.floor(options.shardBytes ?? DEFAULT_SHARD_BYTES));
  const shards: Shard[] = [];
  for (const f of files) {
    const stamp = await fileStamp(f);
    const spec = detectFormat(f.absPath, options.format);
    const base = { file: f.path, absPath: f.absPath, size: stamp.size, mtimeMs: stamp.mtimeMs };
    if (spec.format === 'parquet' && stamp.size > shardBytes) {
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
    if ((spec.format !== 'jsonl' && spec.format !== 'text') || spec.gzip || stamp.size <= shardBytes) {
      shards.push({ ...base, source: { kind: 'file' } });
      continue;
    }
    const format = spec.format;
    let start = 0;
    let firstLine = 1;
    for (const cut of [...(await lineCuts(f.absPath, stamp.size, shardBytes)), { offset: stamp.size, line: 0 }]) {
      shards.push({ ...base, source: { kind: 'lines', format, start, end: cut.offset, firstLine } });
      start = cut.offset;
      firstLine = cut.line;
    }
  }
  return shards;
}

/** Throws DIST_SHARD_CHANGED / DIST_SHARD_UNREADABLE unless the shard's file is as planned. */
export async function checkShardFile(shard: Shard): Promise<void> {
  let st;
  try {
    st = await stat(shard.absPath);
  } catch (err) {
    throw new DistError('DIST_SHARD_UNREADABLE', `cannot read ${shard.absPath} on this worker (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); workers must see the delivery at the same absolute path (shared filesystem)`, { location: { file: shard.file }, cause: err });
  }
  if (st.size !== shard.size || st.mtimeMs !== shard.mtimeMs) {
    throw new DistError('DIST_SHARD_CHANGED', `the file changed since the run was planned (size ${shard.size} → ${st.size}); do not modify a delivery while it is inspected, then run again`, { location: { file: shard.file } });
  }
}
