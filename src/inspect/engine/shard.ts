/**
 * Shards: the unit of inspection work shared by the single-process engine and the distributed
 * one (DESIGN §5, §7). A shard is a whole file or a newline-aligned byte range of a JSONL/text
 * file; `inspectShard` turns it into a `ShardOutput` (per-record findings plus the dataset
 * detectors' compact features, all structured-cloneable), and a `ShardReducer` takes outputs in
 * delivery order and finishes the report. Both paths call exactly these functions, so where a
 * shard ran never changes the report.
 */
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ProvenantError, TOOL_NAME, VERSION } from '../../core/index.js';
import { readParquetRowGroups, readRecords, recordsFromBytes, RecordError, type RecordFormat, type RecordItem } from '../../records/index.js';
// The ranged reader needs the byte-stream entry of the records layer, which its index does not export yet.
import { applyPolicy, SEVERITIES, type Policy } from '../policy/index.js';
import type { DatasetDetector, Detector, DetectorId, DetectorStats, Finding, InspectReport, RecordRef, Severity } from '../types.js';
import type { BatchRecord, BatchResult } from './batch.js';
import { InspectError } from './errors.js';
import { DETECTOR_IDS } from './registry.js';
import { compareBytewise, type InspectFile } from './walk.js';

/** Where a shard's records come from. `absPath` must be readable wherever the shard runs. */
export type ShardSource =
  | { readonly kind: 'file' }
  /** Bytes [start, end) of a plain JSONL/text file, cut just after a '\n'; its first line is `firstLine` (1-based). */
  | { readonly kind: 'lines'; readonly format: 'jsonl' | 'text'; readonly start: number; readonly end: number; readonly firstLine: number }
  /** Row groups [from, to) of a Parquet file; record indices and rows are those of the whole file. */
  | { readonly kind: 'rowGroups'; readonly from: number; readonly to: number };

/** One unit of inspection work (plain data: crosses threads and queues). */
export interface Shard {
  /** Display path of the file (as in findings). */
  readonly file: string;
  readonly absPath: string;
  /** Size and mtime of the file when the run was planned; a worker refuses a file that changed. */
  readonly size: number;
  readonly mtimeMs: number;
  readonly source: ShardSource;
}

/** What one shard produced (structured-cloneable; never record values). */
export interface ShardOutput {
  readonly file: string;
  /** Index (in the file) of the shard's first record. */
  readonly firstIndex: number;
  readonly records: number;
  /** 1-based line of each record, when the format numbers lines. */
  readonly lines: Array<number | undefined>;
  /** Whether records carry data rows (csv, tsv, parquet: row = index + 1). */
  readonly rows: boolean;
  /** Findings of record detectors, in record order. */
  readonly findings: Finding[];
  /** Per detector (plan order): features parallel to the records (`undefined` where none). */
  readonly features: unknown[][];
  /** Milliseconds spent per detector. */
  readonly ms: number[];
}

/** Runs one batch through every planned detector (in plan order): a thread pool, or in-process. */
export type BatchExecutor = (batch: BatchRecord[]) => Promise<BatchResult>;

export interface InspectShardOptions {
  /** Number of planned detectors (the length of every BatchResult's `features` and `ms`). */
  readonly detectorCount: number;
  readonly exec: BatchExecutor;
  readonly format?: RecordFormat;
  /** Records per batch (default 500). */
  readonly batchSize?: number;
  /** Batches in flight (default 1). */
  readonly maxInFlight?: number;
  /** Called after each batch with the records read so far in this shard. */
  readonly onBatch?: (records: number) => void;
}

/** Re-bases a ranged reader's error to the real line of the file. */
function rebase(err: unknown, offset: number): unknown {
  if (!(err instanceof ProvenantError) || err.location?.line === undefined || offset === 0) return err;
  const loc = { ...err.location, line: err.location.line + offset };
  return err instanceof RecordError ? new RecordError(err.code, err.message, { location: loc, cause: err }) : new InspectError(err.code, err.message, { kind: err.kind, location: loc, cause: err });
}

/** The records of a shard, with their real file index and line. */
export async function* readShard(shard: Shard, format?: RecordFormat): AsyncGenerator<RecordItem> {
  // A line range carries its own format; `format` (the run's --input-format) applies to whole files.
  const src = shard.source;
  if (src.kind === 'file') {
    yield* readRecords(shard.absPath, { file: shard.file, ...(format ? { format } : {}) });
    return;
  }
  if (src.kind === 'rowGroups') {
    yield* readParquetRowGroups(shard.absPath, shard.file, src.from, src.to);
    return;
  }
  const kind = src.format;
  const offset = src.firstLine - 1;
  const bytes = createReadStream(shard.absPath, { start: src.start, end: src.end - 1, highWaterMark: 1 << 20 });
  try {
    // Each line of a line format is one record, so a range starting at line L starts at index L - 1.
    for await (const r of recordsFromBytes(kind, bytes as AsyncIterable<Buffer>, shard.file)) {
      yield { file: r.file, index: r.index + offset, ...(r.line !== undefined ? { line: r.line + offset } : {}), value: r.value };
    }
  } catch (err) {
    throw rebase(err, offset);
  } finally {
    bytes.destroy();
  }
}

/** Inspects one shard: reads its records, runs every batch through `exec`, keeps findings and features. */
export async function inspectShard(shard: Shard, options: InspectShardOptions): Promise<ShardOutput> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
  const maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  const n = options.detectorCount;
  const findings: Finding[] = [];
  const features: unknown[][] = Array.from({ length: n }, () => []);
  const ms: number[] = new Array<number>(n).fill(0);
  const lines: Array<number | undefined> = [];
  let rows = false;
  let firstIndex: number | undefined;
  let records = 0;
  const queue: Promise<BatchResult>[] = [];
  const flushOne = async (): Promise<void> => {
    const p = queue.shift();
    if (!p) return;
    const r = await p;
    findings.push(...r.findings);
    for (let k = 0; k < n; k++) {
      ms[k] = (ms[k] ?? 0) + (r.ms[k] ?? 0);
      const f = r.features[k];
      const dst = features[k] as unknown[];
      if (f && f.length > 0) for (const x of f) dst.push(x);
    }
  };
  const submit = async (batch: BatchRecord[]): Promise<void> => {
    const p = options.exec(batch);
    // Handled here, rethrown when flushed: a failing batch must not crash the process meanwhile.
    p.catch(() => undefined);
    queue.push(p);
    while (queue.length >= maxInFlight) await flushOne();
    options.onBatch?.(records);
  };
  let batch: BatchRecord[] = [];
  for await (const r of readShard(shard, options.format)) {
    firstIndex ??= r.index;
    lines.push(r.line);
    if (r.row !== undefined) rows = true;
    batch.push(r);
    records++;
    if (batch.length >= batchSize) {
      await submit(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await submit(batch);
  while (queue.length > 0) await flushOne();
  return { file: shard.file, firstIndex: firstIndex ?? 0, records, lines, rows, findings, features, ms };
}

function compareFindings(order: ReadonlyMap<string, number>): (a: Finding, b: Finding) => number {
  const str = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return (a, b) => {
    const la = a.location;
    const lb = b.location;
    const fa = order.get(la.file) ?? Number.MAX_SAFE_INTEGER;
    const fb = order.get(lb.file) ?? Number.MAX_SAFE_INTEGER;
    return (
      fa - fb ||
      (fa === Number.MAX_SAFE_INTEGER ? compareBytewise(la.file, lb.file) : 0) ||
      la.index - lb.index ||
      str(a.detector, b.detector) ||
      str(a.rule, b.rule) ||
      str(la.field ?? '', lb.field ?? '') ||
      (la.span?.[0] ?? -1) - (lb.span?.[0] ?? -1) ||
      (la.span?.[1] ?? -1) - (lb.span?.[1] ?? -1) ||
      str(a.message, b.message)
    );
  };
}

export interface FinishOptions {
  readonly files: readonly InspectFile[];
  /** Record format of each file (same order as `files`). */
  readonly formats: readonly string[];
  readonly roots: readonly string[];
  readonly startedAt: string;
  readonly policy: Policy;
}

/**
 * Collects shard outputs, which must be added in delivery order (file order, then range order),
 * then runs every dataset detector's reduce once and builds the report.
 */
export class ShardReducer {
  private readonly findings: Finding[] = [];
  private readonly items = new Map<number, { ref: RecordRef; features: unknown }[]>();
  private readonly ms: number[];
  private readonly perFile = new Map<string, number>();
  private records = 0;

  /** `detectors` in plan order (the order of every ShardOutput's `features` and `ms`). */
  constructor(private readonly detectors: readonly Detector[]) {
    this.ms = detectors.map(() => 0);
    detectors.forEach((d, k) => {
      if (d.kind === 'dataset') this.items.set(k, []);
    });
  }

  /** Adds the next shard output (delivery order). */
  add(out: ShardOutput): void {
    this.findings.push(...out.findings);
    this.records += out.records;
    this.perFile.set(out.file, (this.perFile.get(out.file) ?? 0) + out.records);
    for (let k = 0; k < this.detectors.length; k++) {
      this.ms[k] = (this.ms[k] ?? 0) + (out.ms[k] ?? 0);
      const dst = this.items.get(k);
      const feats = out.features[k];
      if (!dst || !feats) continue;
      for (let i = 0; i < feats.length; i++) {
        const f = feats[i];
        if (f === undefined) continue;
        const index = out.firstIndex + i;
        const line = out.lines[i];
        dst.push({ ref: { file: out.file, index, ...(line !== undefined ? { line } : {}), ...(out.rows ? { row: index + 1 } : {}) }, features: f });
      }
    }
  }

  /** Reduces the dataset detectors, applies the policy and builds the report. */
  finish(o: FinishOptions): InspectReport {
    const ms = new Map<DetectorId, number>();
    this.detectors.forEach((d, k) => {
      if (d.kind !== 'dataset') {
        ms.set(d.id, this.ms[k] ?? 0);
        return;
      }
      const t0 = performance.now();
      let out: Finding[];
      try {
        out = (d as DatasetDetector).reduce(this.items.get(k) ?? []);
      } catch (err) {
        throw new InspectError('INSPECT_DETECTOR_FAILED', `detector ${d.id} failed in its reduce step: ${err instanceof Error ? err.message : String(err)}; this is a bug in the detector, please report it`, { kind: 'internal', cause: err });
      }
      this.items.delete(k);
      ms.set(d.id, (this.ms[k] ?? 0) + performance.now() - t0);
      this.findings.push(...out);
    });
    const fileStats = o.files.map((f, i) => ({ path: f.path, format: o.formats[i] ?? '', records: this.perFile.get(f.path) ?? 0, bytes: f.size }));
    return buildReport({ ...o, fileStats, detectors: this.detectors, ms, findings: this.findings, records: this.records });
  }
}

function buildReport(a: {
  files: readonly InspectFile[];
  fileStats: InspectReport['files'];
  roots: readonly string[];
  detectors: readonly Detector[];
  ms: ReadonlyMap<DetectorId, number>;
  findings: Finding[];
  records: number;
  startedAt: string;
  policy: Policy;
}): InspectReport {
  const order = new Map(a.files.map((f, i) => [f.path, i]));
  a.findings.sort(compareFindings(order));
  const outcome = applyPolicy(a.policy, a.findings, a.records);
  const kept = outcome.findings;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byDetector: Partial<Record<DetectorId, number>> = {};
  const ranked = [...a.detectors].sort((x, y) => DETECTOR_IDS.indexOf(x.id) - DETECTOR_IDS.indexOf(y.id));
  for (const d of ranked) byDetector[d.id] = 0;
  for (const f of kept) {
    bySeverity[f.severity]++;
    byDetector[f.detector] = (byDetector[f.detector] ?? 0) + 1;
  }
  const detectors: DetectorStats[] = ranked.map((d) => ({ detector: d.id, findings: byDetector[d.id] ?? 0, ms: Math.round((a.ms.get(d.id) ?? 0) * 10) / 10 }));
  return {
    schema: 'https://provenant.dev/inspect-report/v1',
    tool: { name: TOOL_NAME, version: VERSION },
    roots: [...a.roots],
    files: a.fileStats,
    startedAt: a.startedAt,
    finishedAt: new Date().toISOString(),
    verdict: outcome.verdict,
    policy: { name: a.policy.name, reasons: outcome.reasons },
    counts: {
      records: a.records,
      files: a.files.length,
      bytes: a.files.reduce((s, f) => s + f.size, 0),
      findings: kept.length,
      bySeverity,
      byDetector,
    },
    detectors,
    findings: kept,
  };
}
