/**
 * The inspection engine (DESIGN §5): streams the records of a delivery, runs per-record detectors
 * and dataset-detector feature extraction on worker threads over batches, keeps only compact
 * features (never record values) for the dataset detectors, reduces once at the end, applies the
 * policy and builds the report. A reader error (malformed record, unknown format) aborts the run
 * with its coded error: there is never a partial report.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { basename, resolve } from 'node:path';
import { TOOL_NAME, VERSION } from '../../core/index.js';
import { detectFormat, readRecords, type RecordFormat } from '../../records/index.js';
import { benchmarkItems, type Benchmark } from '../detectors/contamination/index.js';
import { driftFeatures, profile, type DriftFeatures, type DriftProfile } from '../detectors/drift/index.js';
import type { FieldOverrides } from '../fields/index.js';
import { applyPolicy, DEFAULT_POLICY, SEVERITIES, type Policy } from '../policy/index.js';
import type { DatasetDetector, Detector, DetectorId, DetectorStats, Finding, InspectReport, RecordRef, Severity } from '../types.js';
import { processBatch, recordView, type BatchRecord, type BatchResult } from './batch.js';
import { InspectError } from './errors.js';
import { createBatchPool, type BatchPool } from './pool.js';
import { builtinRegistry, DETECTOR_IDS, type DetectorSpec } from './registry.js';
import { compareBytewise, listFiles, type InspectFile } from './walk.js';

/** Progress of a run, reported after each batch. */
export interface InspectProgress {
  readonly records: number;
  /** Bytes of the files finished so far. */
  readonly bytes: number;
  readonly totalBytes: number;
  readonly file: string;
}

export interface InspectOptions {
  /** Files or directories making up the delivery. */
  readonly paths: readonly string[];
  /** Base for relative paths (default process.cwd()). */
  readonly cwd?: string;
  /**
   * Detectors to run: ids, specs with plain-data options (run on workers), or detector instances
   * (run on the main thread). Default: schema, secrets, pii, unicode, injection, duplicates,
   * poisoning, plus contamination with `benchmarks` and drift with `baseline`.
   */
  readonly detectors?: ReadonlyArray<DetectorId | DetectorSpec | Detector>;
  /** Benchmark files for contamination (each read as records, turned into items). */
  readonly benchmarks?: readonly string[];
  /** An earlier delivery (file or directory) to profile as the drift baseline. */
  readonly baseline?: string;
  /** Explicit field roles (--fields). */
  readonly fields?: FieldOverrides;
  readonly policy?: Policy;
  /** Read every delivery file as this format instead of by extension. */
  readonly format?: RecordFormat;
  /** Worker threads (default: available cores, at most 8; 0 runs everything on the calling thread). */
  readonly workers?: number;
  /** Records per batch (default 500). */
  readonly batchSize?: number;
  readonly onProgress?: (p: InspectProgress) => void;
}

/** The detectors run by default (contamination and drift join when given benchmarks / a baseline). */
export const DEFAULT_DETECTORS: readonly DetectorId[] = ['schema', 'secrets', 'pii', 'unicode', 'injection', 'duplicates', 'poisoning'];

const isInstance = (d: DetectorId | DetectorSpec | Detector): d is Detector => typeof d === 'object' && 'kind' in d;

/** Reads benchmark files into contamination benchmarks (name = file name). */
export async function loadBenchmarks(files: readonly string[], cwd = process.cwd()): Promise<Benchmark[]> {
  const out: Benchmark[] = [];
  for (const f of files) {
    const abs = resolve(cwd, f);
    const listed = await listFiles([abs]);
    const values: unknown[] = [];
    for (const lf of listed) for await (const r of readRecords(lf.absPath, { file: basename(f) })) values.push(r.value);
    out.push({ name: basename(f), items: benchmarkItems(values) });
  }
  return out;
}

/** Profiles a baseline delivery with the drift features (same field roles as the inspected delivery). */
export async function loadBaseline(path: string, options: { cwd?: string; fields?: FieldOverrides; format?: RecordFormat } = {}): Promise<DriftProfile> {
  const files = await listFiles([path], options.cwd);
  const feats: DriftFeatures[] = [];
  for (const f of files) {
    for await (const r of readRecords(f.absPath, { file: f.path, ...(options.format ? { format: options.format } : {}) })) {
      feats.push(driftFeatures(recordView(r, options.fields)));
    }
  }
  return profile(feats);
}

interface Plan {
  /** Specs rebuilt on workers (or in-process with workers: 0). */
  readonly specs: DetectorSpec[];
  /** Main-thread copies of the specs' detectors (validation, reduce). */
  readonly built: Detector[];
  /** Caller-supplied instances (main thread only). */
  readonly instances: Detector[];
}

async function plan(o: InspectOptions): Promise<Plan> {
  const cwd = o.cwd ?? process.cwd();
  const wanted: ReadonlyArray<DetectorId | DetectorSpec | Detector> =
    o.detectors ?? [...DEFAULT_DETECTORS, ...(o.benchmarks?.length ? (['contamination'] as const) : []), ...(o.baseline !== undefined ? (['drift'] as const) : [])];
  const ids = new Set<string>();
  const specs: DetectorSpec[] = [];
  const instances: Detector[] = [];
  let benchmarks: Benchmark[] | undefined;
  let baseline: DriftProfile | undefined;
  for (const d of wanted) {
    const id = typeof d === 'string' ? d : d.id;
    if (ids.has(id)) throw new InspectError('INSPECT_DETECTOR_DUPLICATE', `detector ${JSON.stringify(id)} is selected twice; name each detector once`);
    ids.add(id);
    if (isInstance(d)) {
      instances.push(d);
      continue;
    }
    const spec = (typeof d === 'string' ? { id: d } : d) as DetectorSpec;
    if (spec.id === 'contamination' && spec.options === undefined && o.benchmarks?.length) {
      benchmarks ??= await loadBenchmarks(o.benchmarks, cwd);
      specs.push({ id: 'contamination', options: { benchmarks } });
    } else if (spec.id === 'drift' && spec.options === undefined && o.baseline !== undefined) {
      baseline ??= await loadBaseline(o.baseline, { cwd, ...(o.fields ? { fields: o.fields } : {}) });
      specs.push({ id: 'drift', options: { baseline } });
    } else specs.push(spec);
  }
  return { specs, built: builtinRegistry().createAll(specs), instances };
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

/** Inspects a delivery and returns the report (verdict by `policy`, default DEFAULT_POLICY). */
export async function inspectDelivery(options: InspectOptions): Promise<InspectReport> {
  const startedAt = new Date().toISOString();
  const cwd = options.cwd ?? process.cwd();
  const files = await listFiles(options.paths, cwd);
  // Fail on an unknown format before any work starts.
  for (const f of files) detectFormat(f.absPath, options.format);
  const { specs, built, instances } = await plan(options);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
  const workerCount = Math.max(0, Math.floor(options.workers ?? Math.min(8, availableParallelism())));

  // Detectors as reported and reduced: specs first (built copies), then instances.
  const all: Detector[] = [...built, ...instances];
  const inProcess: Detector[] = workerCount === 0 ? all : instances;
  const onWorkers: Detector[] = workerCount === 0 ? [] : built;
  const ms = new Map<DetectorId, number>(all.map((d) => [d.id, 0]));
  const items = new Map<DetectorId, { ref: RecordRef; features: unknown }[]>(all.filter((d) => d.kind === 'dataset').map((d) => [d.id, []]));
  const findings: Finding[] = [];

  const pool: BatchPool | undefined = onWorkers.length > 0 ? createBatchPool(workerCount, { specs, overrides: options.fields }) : undefined;
  const maxInFlight = pool ? pool.size * 2 + 1 : 1;
  const queue: { refs: RecordRef[]; parts: Promise<[BatchResult | undefined, BatchResult | undefined]> }[] = [];

  const merge = (refs: RecordRef[], group: readonly Detector[], r: BatchResult): void => {
    findings.push(...r.findings);
    group.forEach((d, k) => {
      ms.set(d.id, (ms.get(d.id) ?? 0) + (r.ms[k] ?? 0));
      if (d.kind !== 'dataset') return;
      const out = items.get(d.id);
      const feats = r.features[k] ?? [];
      if (!out) return;
      for (let i = 0; i < refs.length; i++) {
        const f = feats[i];
        if (f !== undefined) out.push({ ref: refs[i] as RecordRef, features: f });
      }
    });
  };
  const flushOne = async (): Promise<void> => {
    const q = queue.shift();
    if (!q) return;
    const [w, m] = await q.parts;
    if (w) merge(q.refs, onWorkers, w);
    if (m) merge(q.refs, inProcess, m);
  };
  const submit = async (batch: BatchRecord[]): Promise<void> => {
    const refs: RecordRef[] = batch.map((r) => ({ file: r.file, index: r.index, ...(r.line !== undefined ? { line: r.line } : {}), ...(r.row !== undefined ? { row: r.row } : {}) }));
    const remote = pool ? pool.run(batch) : Promise.resolve(undefined);
    const local = inProcess.length > 0 ? processBatch(inProcess, options.fields, batch) : undefined;
    const parts = Promise.all([remote, local] as const);
    // Handled here, rethrown when flushed: a failing batch must not crash the process meanwhile.
    parts.catch(() => undefined);
    queue.push({ refs, parts });
    while (queue.length >= maxInFlight) await flushOne();
  };

  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  const fileStats: { path: string; format: string; records: number; bytes: number }[] = [];
  let records = 0;
  let bytesDone = 0;
  try {
    for (const f of files) {
      const format = detectFormat(f.absPath, options.format).format;
      let n = 0;
      let batch: BatchRecord[] = [];
      for await (const r of readRecords(f.absPath, { file: f.path, ...(options.format ? { format: options.format } : {}) })) {
        batch.push(r);
        n++;
        if (batch.length >= batchSize) {
          await submit(batch);
          batch = [];
          options.onProgress?.({ records: records + n, bytes: bytesDone, totalBytes, file: f.path });
        }
      }
      if (batch.length > 0) await submit(batch);
      records += n;
      bytesDone += f.size;
      fileStats.push({ path: f.path, format, records: n, bytes: f.size });
      options.onProgress?.({ records, bytes: bytesDone, totalBytes, file: f.path });
    }
    while (queue.length > 0) await flushOne();
  } finally {
    await pool?.close();
  }

  for (const d of all) {
    if (d.kind !== 'dataset') continue;
    const t0 = performance.now();
    let out: Finding[];
    try {
      out = (d as DatasetDetector).reduce(items.get(d.id) ?? []);
    } catch (err) {
      throw new InspectError('INSPECT_DETECTOR_FAILED', `detector ${d.id} failed in its reduce step: ${err instanceof Error ? err.message : String(err)}; this is a bug in the detector, please report it`, { kind: 'internal', cause: err });
    }
    items.delete(d.id);
    ms.set(d.id, (ms.get(d.id) ?? 0) + performance.now() - t0);
    findings.push(...out);
  }

  return buildReport({ files, fileStats, roots: options.paths, detectors: all, ms, findings, records, startedAt, policy: options.policy ?? DEFAULT_POLICY });
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
