/**
 * Shards: the unit of inspection work shared by the single-process engine and the distributed
 * one (DESIGN §5, §7). A shard is a whole file or a newline-aligned byte range of a JSONL/text
 * file; `inspectShard` turns it into a `ShardOutput` (per-record findings plus the dataset
 * detectors' compact features, all structured-cloneable), and a `ShardReducer` takes outputs in
 * delivery order and finishes the report. Both paths call exactly these functions, so where a
 * shard ran never changes the report.
 */
import { createReadStream } from 'node:fs';
import { ProvenantError, TOOL_NAME, VERSION } from '../../core/index.js';
import { readParquetRowGroups, readRecords, recordsFromBytes, RecordError, type RecordFormat, type RecordItem } from '../../records/index.js';
// The ranged reader needs the byte-stream entry of the records layer, which its index does not export yet.
import { PolicyAccumulator, SEVERITIES, type Policy } from '../policy/index.js';
import type { DatasetDetector, Detector, DetectorId, DetectorStats, Finding, InspectReport, Severity, TruncatedRule } from '../types.js';
import type { BatchRecord, BatchResult } from './batch.js';
import { InspectError } from './errors.js';
import { compactFindings, expandFindings, type CompactFindings } from './compact.js';
import { isPacked, packFeatures, unpackFeatures, type PackedFeatures } from './pack.js';
import { reduceDetector, runReduce, type ReduceOutput, type ReduceRunner } from './reduce.js';
import { collectGarbage } from '../memory.js';
import { Spill } from './spill.js';
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
  /** Findings of record detectors, in record order (with `keepPerRule`, the first of each rule). */
  readonly findings: Finding[];
  /** With `keepPerRule`: the shard's other findings, reduced to what the policy and the counts read. */
  readonly more?: CompactFindings;
  /** Per detector (plan order): features parallel to the records (`undefined` where none), packed when their shape allows. */
  readonly features: Array<readonly unknown[] | PackedFeatures>;
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
  /**
   * Findings of each (detector, rule) kept whole, the first in record order (the report's cap per
   * rule); the rest go compacted into `more`. Default 0: every finding whole.
   */
  readonly keepPerRule?: number;
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
  const keep = options.keepPerRule ?? 0;
  const split = keep > 0 ? compactFindings(findings, keep) : { findings };
  return { file: shard.file, firstIndex: firstIndex ?? 0, records, lines, rows, ...split, features: features.map(packFeatures), ms };
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

/** Findings listed per (detector, rule) in a report unless set otherwise (counts stay exact). */
export const DEFAULT_MAX_FINDINGS_PER_RULE = 1000;

export interface FinishOptions {
  readonly files: readonly InspectFile[];
  /** Record format of each file (same order as `files`). */
  readonly formats: readonly string[];
  readonly roots: readonly string[];
  readonly startedAt: string;
  /** The policy; when the reducer was built with one, it must be that same policy. */
  readonly policy: Policy;
  /** Findings listed per (detector, rule), when the reducer was built without a cap (default 1000; 0 = all). */
  readonly maxFindingsPerRule?: number;
}

export interface ReducerOptions {
  /** Applies this policy as outputs arrive, so only the listed findings are held (else every finding is kept until `finish`). */
  readonly policy?: Policy;
  /** Findings listed per (detector, rule): the first ones in delivery order (default 1000; 0 = all). */
  readonly maxFindingsPerRule?: number;
}

/** The findings cap per rule a run uses (validated; 0 = no cap). */
export function maxFindingsPerRule(n: number | undefined): number {
  if (n === undefined) return DEFAULT_MAX_FINDINGS_PER_RULE;
  if (!Number.isSafeInteger(n) || n < 0) throw new InspectError('INSPECT_OPTIONS', `the findings cap per rule must be an integer >= 0 (0 = no cap), not ${String(n)}`);
  return n;
}

/**
 * Where findings go: the policy (ignores, counts), exact per-severity/detector/rule counts, and
 * the listed findings — the first `cap` of each (detector, rule) in delivery order.
 */
class FindingSink {
  private readonly acc: PolicyAccumulator;
  private readonly perRule = new Map<string, Map<string, number>>();
  readonly kept: Finding[] = [];
  readonly bySeverity = new Map<string, number>();
  readonly byDetector = new Map<string, number>();

  constructor(
    readonly policy: Policy,
    readonly cap: number,
  ) {
    this.acc = new PolicyAccumulator(policy);
  }

  /** Whether the policy ignores the finding (it is neither counted nor listed). */
  drops(f: Finding): boolean {
    return this.acc.drops(f);
  }

  /** Counts a finding compacted by its shard: it must be past the cap (else the shard kept too few whole). */
  addCompact(f: Finding): void {
    if (this.add(f)) {
      throw new InspectError('INSPECT_OPTIONS', `a shard compacted findings of ${f.detector}/${f.rule} that the report must list: the shard's keepPerRule is below the report's cap`, { kind: 'internal' });
    }
  }

  /** Counts the finding; true when it is listed in the report. */
  add(f: Finding): boolean {
    if (!this.acc.add(f)) return false;
    this.bySeverity.set(f.severity, (this.bySeverity.get(f.severity) ?? 0) + 1);
    this.byDetector.set(f.detector, (this.byDetector.get(f.detector) ?? 0) + 1);
    let rules = this.perRule.get(f.detector);
    if (!rules) this.perRule.set(f.detector, (rules = new Map()));
    const n = (rules.get(f.rule) ?? 0) + 1;
    rules.set(f.rule, n);
    if (this.cap !== 0 && n > this.cap) return false;
    this.kept.push(f);
    return true;
  }

  outcome(records: number): ReturnType<PolicyAccumulator['outcome']> {
    return this.acc.outcome(records);
  }

  /** Rules over the cap, in detector order (DESIGN §5) then rule id. */
  truncated(): TruncatedRule[] {
    const out: TruncatedRule[] = [];
    if (this.cap === 0) return out;
    for (const [detector, rules] of this.perRule) {
      for (const [rule, total] of rules) if (total > this.cap) out.push({ detector: detector as DetectorId, rule, shown: this.cap, total });
    }
    const rank = (d: string): number => {
      const i = DETECTOR_IDS.indexOf(d as DetectorId);
      return i < 0 ? DETECTOR_IDS.length : i;
    };
    const str = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
    return out.sort((a, b) => rank(a.detector) - rank(b.detector) || str(a.detector, b.detector) || str(a.rule, b.rule));
  }
}

/** `values` cut or padded (with undefined) to `n` records. */
function alignTo(values: readonly unknown[], n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => values[i]);
}

/**
 * Collects shard outputs, which must be added in delivery order (file order, then range order),
 * then runs every dataset detector's reduce once and builds the report. Built with a policy, it
 * applies it as outputs arrive and holds only the findings the report lists (at most the cap per
 * rule); dataset features go to a spill on disk as they arrive (spill.ts), so what it holds does
 * not grow with the delivery. A reducer that will not finish must be `dispose`d.
 */

export class ShardReducer {
  private sink: FindingSink | undefined;
  /** Findings held until `finish` when no policy was given up front. */
  private readonly buffered: Finding[] = [];
  private readonly bufferedMore: CompactFindings[] = [];
  private readonly ms: number[];
  private readonly perFile = new Map<string, number>();
  private records = 0;
  /** Plan indices of the dataset detectors. */
  private readonly datasets: number[] = [];
  /** Their features by shard, on disk until the reduce. */
  private readonly spill = new Spill();

  /** `detectors` in plan order (the order of every ShardOutput's `features` and `ms`). */
  constructor(
    private readonly detectors: readonly Detector[],
    options: ReducerOptions = {},
  ) {
    this.ms = detectors.map(() => 0);
    detectors.forEach((d, k) => {
      if (d.kind === 'dataset') this.datasets.push(k);
    });
    if (options.policy) this.sink = new FindingSink(options.policy, maxFindingsPerRule(options.maxFindingsPerRule));
    else if (options.maxFindingsPerRule !== undefined) throw new InspectError('INSPECT_OPTIONS', 'a findings cap needs the policy up front (ReducerOptions.policy)', { kind: 'internal' });
  }

  /** Adds the next shard output (delivery order); its dataset features go to the spill. */
  add(out: ShardOutput): void {
    const sink = this.sink;
    if (sink) {
      for (const f of out.findings) sink.add(f);
      if (out.more) for (const f of expandFindings(out.more)) sink.addCompact(f);
    } else {
      for (const f of out.findings) this.buffered.push(f);
      if (out.more) this.bufferedMore.push(out.more);
    }
    this.records += out.records;
    this.perFile.set(out.file, (this.perFile.get(out.file) ?? 0) + out.records);
    for (let k = 0; k < this.detectors.length; k++) this.ms[k] = (this.ms[k] ?? 0) + (out.ms[k] ?? 0);
    if (this.datasets.length === 0) return;
    const s = this.spill.addShard(out.file, out.firstIndex, out.records, out.rows, out.lines);
    for (const k of this.datasets) {
      const f = out.features[k] ?? [];
      // A block of another length than the shard's records is aligned to them.
      const aligned = (isPacked(f) ? f.count === out.records : f.length === out.records) ? f : alignTo(isPacked(f) ? unpackFeatures(f) : f, out.records);
      this.spill.append(k, s, aligned, out.records);
    }
  }

  /** The sink, built here when the policy comes only now (then every held finding goes through it). */
  private sinkFor(o: FinishOptions): FindingSink {
    let sink = this.sink;
    if (sink && sink.policy !== o.policy) throw new InspectError('INSPECT_OPTIONS', 'the reducer was built with another policy than the one it finishes with', { kind: 'internal' });
    if (!sink) {
      sink = this.sink = new FindingSink(o.policy, maxFindingsPerRule(o.maxFindingsPerRule));
      for (const f of this.buffered) sink.add(f);
      this.buffered.length = 0;
      for (const b of this.bufferedMore) for (const f of expandFindings(b)) sink.addCompact(f);
      this.bufferedMore.length = 0;
    }
    return sink;
  }

  /** Reduces the dataset detectors here, one after another, applies the policy and builds the report. */
  finish(o: FinishOptions): InspectReport {
    try {
      const sink = this.sinkFor(o);
      // In detector order, each finding counted (and listed or not) as the reduce yields it.
      const outs = new Map<number, ReduceOutput>();
      for (const k of this.datasets) {
        outs.set(k, { findings: [], ms: runReduce(this.detectors[k] as DatasetDetector, this.spill.input(k), (f) => sink.add(f)) });
        // One reduce's state is gone before the next starts (see collectGarbage).
        collectGarbage();
      }
      return this.report(o, sink, outs);
    } finally {
      this.dispose();
    }
  }

  /**
   * Like `finish`, with the reduce of each dataset detector offered to `runner` (e.g. a worker
   * thread, which reads the spill itself), so independent reduces run at the same time; the
   * others run here meanwhile. Findings enter the report in detector order whatever finishes first.
   */
  async finishWith(o: FinishOptions, runner: ReduceRunner): Promise<InspectReport> {
    try {
      const sink = this.sinkFor(o);
      const remote = new Map<number, Promise<ReduceOutput>>();
      const local: number[] = [];
      for (const k of this.datasets) {
        const p = runner(k, this.spill.input(k));
        if (p) {
          // Handled here, rethrown when awaited below.
          p.catch(() => undefined);
          remote.set(k, p);
        } else local.push(k);
      }
      const outs = new Map<number, ReduceOutput>();
      // Compacted past the cap as on a worker: findings enter the report in detector order below.
      for (const k of local) outs.set(k, reduceDetector(this.detectors[k] as DatasetDetector, this.spill.input(k), sink.cap, (f) => sink.drops(f)));
      for (const [k, p] of remote) outs.set(k, await p);
      return this.report(o, sink, outs);
    } finally {
      this.dispose();
    }
  }

  /** Removes the spilled features (after the reduce, or when a run is abandoned); idempotent. */
  dispose(): void {
    this.spill.dispose();
  }

  private report(o: FinishOptions, sink: FindingSink, outs: ReadonlyMap<number, ReduceOutput>): InspectReport {
    const ms = new Map<DetectorId, number>();
    this.detectors.forEach((d, k) => {
      const out = outs.get(k);
      ms.set(d.id, (this.ms[k] ?? 0) + (out?.ms ?? 0));
      if (!out) return;
      for (const f of out.findings) sink.add(f);
      if (out.more) for (const f of expandFindings(out.more)) sink.addCompact(f);
    });
    const fileStats = o.files.map((f, i) => ({ path: f.path, format: o.formats[i] ?? '', records: this.perFile.get(f.path) ?? 0, bytes: f.size }));
    return buildReport({ ...o, fileStats, detectors: this.detectors, ms, sink, records: this.records });
  }
}

function buildReport(a: {
  files: readonly InspectFile[];
  fileStats: InspectReport['files'];
  roots: readonly string[];
  detectors: readonly Detector[];
  ms: ReadonlyMap<DetectorId, number>;
  sink: FindingSink;
  records: number;
  startedAt: string;
  policy: Policy;
}): InspectReport {
  const order = new Map(a.files.map((f, i) => [f.path, i]));
  const compare = compareFindings(order);
  const kept = a.sink.kept;
  kept.sort(compare);
  const outcome = a.sink.outcome(a.records);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const [s, n] of a.sink.bySeverity) bySeverity[s as Severity] = (bySeverity[s as Severity] ?? 0) + n;
  const byDetector: Partial<Record<DetectorId, number>> = {};
  const ranked = [...a.detectors].sort((x, y) => DETECTOR_IDS.indexOf(x.id) - DETECTOR_IDS.indexOf(y.id));
  for (const d of ranked) byDetector[d.id] = a.sink.byDetector.get(d.id) ?? 0;
  // Ids no planned detector has (a detector reporting under another id) follow in report order
  // (every such id has a listed finding: the cap keeps at least one per rule).
  for (const f of kept) if (!(f.detector in byDetector)) byDetector[f.detector] = a.sink.byDetector.get(f.detector) ?? 0;
  const total = [...a.sink.byDetector.values()].reduce((s, n) => s + n, 0);
  const truncated = a.sink.truncated();
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
      findings: total,
      bySeverity,
      byDetector,
    },
    detectors,
    ...(truncated.length > 0 ? { truncated } : {}),
    findings: kept,
  };
}
