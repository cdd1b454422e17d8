/**
 * --redact-to: writes a copy of a delivery with secrets and PII replaced by typed placeholders
 * (`[SECRET:aws-access-key-id]`, `[EMAIL]`, ...) in every string value, in the same formats and
 * record order, under the same file names. The copy is built in a temporary sibling directory and
 * renamed into place, so a reader never sees half of it; it is never written inside the source.
 *
 * Record values are rewritten, not the source bytes: JSONL/JSON come out as compact JSON, CSV with
 * RFC 4180 quoting where needed, TSV and text line by line; `.gz` files are gzipped again.
 * Parquet is rewritten with the source footer's schema and its stored values (./parquet.ts);
 * a column type the writer cannot reproduce exactly is refused (REDACT_FORMAT_UNSUPPORTED)
 * before anything is written.
 */
import { createWriteStream } from 'node:fs';
import { copyFile, lstat, mkdir, realpath, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, relative, resolve, isAbsolute, sep } from 'node:path';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import { ProvenantError } from '../../core/index.js';
import { detectFormat, readRecords, type RecordFormat } from '../../records/index.js';
import { PII_PLACEHOLDERS, scanPii } from '../detectors/pii/index.js';
import { redactSecrets } from '../detectors/secrets/index.js';
import { listFiles } from '../engine/walk.js';
import { RedactError } from './errors.js';
import { planParquetRedaction, redactParquetFile, type ParquetPlan } from './parquet.js';

export { RedactError };

export interface RedactOptions {
  /** The delivery (files or directories), as given to inspect. */
  readonly paths: readonly string[];
  /** Directory to create; must not exist and must not lie inside the delivery. */
  readonly out: string;
  readonly cwd?: string;
  readonly format?: RecordFormat;
  readonly onProgress?: (p: { records: number; file: string }) => void;
}

export interface RedactSummary {
  readonly out: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly format: RecordFormat; readonly records: number; readonly redacted: number }>;
  readonly records: number;
  /** Records in which at least one string changed. */
  readonly redacted: number;
}

const MAX_DEPTH = 600;

/**
 * Confidence below which a PII hit is left alone: the pii detector's default reporting threshold,
 * so the copy is clean of exactly what an inspection would report.
 */
export const REDACT_MIN_PII_CONFIDENCE = 0.5;

/** Replaces secrets, then PII hits at or above REDACT_MIN_PII_CONFIDENCE, in one string. */
export function redactText(s: string): string {
  const t = redactSecrets(s);
  const hits = scanPii(t).filter((h) => h.confidence >= REDACT_MIN_PII_CONFIDENCE);
  if (hits.length === 0) return t;
  let out = '';
  let at = 0;
  for (const h of hits) {
    if (h.start < at) continue;
    out += t.slice(at, h.start) + PII_PLACEHOLDERS[h.entity];
    at = h.end;
  }
  return out + t.slice(at);
}

/** Returns `v` with every string value (not keys) redacted, and whether anything changed. */
export function redactValue(v: unknown, depth = 0): { value: unknown; changed: boolean } {
  if (typeof v === 'string') {
    const r = redactText(v);
    return { value: r, changed: r !== v };
  }
  if (v === null || typeof v !== 'object' || depth >= MAX_DEPTH) return { value: v, changed: false };
  let changed = false;
  if (Array.isArray(v)) {
    const out = v.map((x) => {
      const r = redactValue(x, depth + 1);
      changed ||= r.changed;
      return r.value;
    });
    return { value: changed ? out : v, changed };
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const r = redactValue(x, depth + 1);
    changed ||= r.changed;
    // defineProperty keeps a "__proto__" key an own data property, as the reader produced it.
    Object.defineProperty(out, k, { value: r.value, enumerable: true, writable: true, configurable: true });
  }
  return { value: changed ? out : v, changed };
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function realOrSelf(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    return p;
  }
}

async function write(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((res, rej) => {
    stream.once('drain', res);
    stream.once('error', rej);
  });
}

async function finish(stream: Writable, file: Writable): Promise<void> {
  await new Promise<void>((res, rej) => {
    file.once('error', rej);
    file.once('close', res);
    stream.end();
  });
}

/** Writes the redacted copy of a delivery to `out` (REDACT_OUT_EXISTS, REDACT_OUT_INSIDE_SOURCE, REDACT_FORMAT_UNSUPPORTED). */
export async function redactDelivery(o: RedactOptions): Promise<RedactSummary> {
  const cwd = o.cwd ?? process.cwd();
  const out = resolve(cwd, o.out);
  const files = await listFiles(o.paths, cwd);
  const outReal = join(await realOrSelf(dirname(out)), basename(out));
  for (const p of o.paths) {
    const root = await realOrSelf(resolve(cwd, p));
    if (isInside(outReal, root) || isInside(root, outReal)) {
      throw new RedactError('REDACT_OUT_INSIDE_SOURCE', `--redact-to ${o.out} lies inside the delivery ${p} (or contains it); choose a directory outside it`, { location: { file: o.out } });
    }
  }
  if (await lstat(out).then(() => true, () => false)) {
    throw new RedactError('REDACT_OUT_EXISTS', `--redact-to ${o.out} already exists; remove it or choose a new directory`, { location: { file: o.out } });
  }
  const specs = files.map((f) => ({ f, spec: detectFormat(f.absPath, o.format) }));
  // Every Parquet schema is checked before the copy is started, so a refusal leaves nothing behind.
  const plans = new Map<string, ParquetPlan>();
  for (const { f, spec } of specs) {
    if (spec.format === 'parquet') plans.set(f.path, await planParquetRedaction(f.absPath, f.path));
  }

  const tmp = `${out}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await mkdir(dirname(out), { recursive: true });
    await mkdir(tmp);
  } catch (err) {
    throw new RedactError('REDACT_WRITE_FAILED', `cannot create ${o.out} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`, { location: { file: o.out }, cause: err });
  }
  const summary: { path: string; format: RecordFormat; records: number; redacted: number }[] = [];
  let total = 0;
  let changedTotal = 0;
  try {
    for (const { f, spec } of specs) {
      const dest = join(tmp, ...f.path.split('/'));
      await mkdir(dirname(dest), { recursive: true });
      const plan = plans.get(f.path);
      if (plan) {
        const r = await redactParquetFile(f.absPath, f.path, dest, plan, redactText, (n) => o.onProgress?.({ records: total + n, file: f.path }));
        summary.push({ path: f.path, format: spec.format, records: r.records, redacted: r.redacted });
        total += r.records;
        changedTotal += r.redacted;
        continue;
      }
      const file = createWriteStream(dest, { flags: 'wx' });
      const stream: Writable = spec.gzip ? createGzip() : file;
      if (spec.gzip) stream.pipe(file);
      let header: string[] | undefined;
      let n = 0;
      let changed = 0;
      for await (const r of readRecords(f.absPath, { file: f.path, ...(o.format ? { format: o.format } : {}) })) {
        const red = redactValue(r.value);
        if (red.changed) changed++;
        const v = red.value;
        switch (spec.format) {
          case 'jsonl':
            await write(stream, `${JSON.stringify(v)}\n`);
            break;
          case 'json':
            await write(stream, `${n === 0 ? '[\n' : ',\n'}${JSON.stringify(v)}`);
            break;
          case 'text':
            await write(stream, `${String((v as { text: string }).text)}\n`);
            break;
          case 'csv':
          case 'tsv': {
            const row = v as Record<string, string>;
            const sepr = spec.format === 'csv' ? ',' : '\t';
            const enc = spec.format === 'csv' ? csvField : (s: string): string => s;
            if (header === undefined) {
              header = Object.keys(row);
              await write(stream, `${header.map(enc).join(sepr)}\n`);
            }
            await write(stream, `${header.map((h) => enc(row[h] ?? '')).join(sepr)}\n`);
            break;
          }
          case 'parquet':
            // Written by redactParquetFile above, never reached.
            break;
        }
        n++;
        if (n % 1000 === 0) o.onProgress?.({ records: total + n, file: f.path });
      }
      if (spec.format === 'json') await write(stream, n === 0 ? '[]\n' : '\n]\n');
      await finish(stream, file);
      // A CSV/TSV without data rows holds only its header, which the records do not carry: copy it.
      if (n === 0 && (spec.format === 'csv' || spec.format === 'tsv')) await copyFile(f.absPath, dest);
      summary.push({ path: f.path, format: spec.format, records: n, redacted: changed });
      total += n;
      changedTotal += changed;
    }
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (err instanceof ProvenantError) throw err;
    throw new RedactError('REDACT_WRITE_FAILED', `cannot write the redacted copy (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { location: { file: o.out }, cause: err });
  }
  return { out, files: summary, records: total, redacted: changedTotal };
}
