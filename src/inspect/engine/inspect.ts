/**
 * The inspection engine (DESIGN §5): streams the records of a delivery, runs per-record detectors
 * and dataset-detector feature extraction on worker threads over batches, keeps only compact
 * features (never record values) for the dataset detectors, reduces once at the end, applies the
 * policy and builds the report. A reader error (malformed record, unknown format) aborts the run
 * with its coded error: there is never a partial report.
 */
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { detectFormat, readRecords, type RecordFormat } from '../../records/index.js';
import { benchmarkItems, type Benchmark } from '../detectors/contamination/index.js';
import { driftFeatures, profile, type DriftFeatures, type DriftProfile } from '../detectors/drift/index.js';
import type { FieldOverrides } from '../fields/index.js';
import { DEFAULT_POLICY, type Policy } from '../policy/index.js';
import type { Detector, DetectorId, InspectReport } from '../types.js';
import { processBatch, recordView, type BatchResult } from './batch.js';
import { InspectError } from './errors.js';
import { createBatchPool, type BatchPool } from './pool.js';
import { builtinRegistry, type DetectorSpec } from './registry.js';
import { inspectShard, ShardReducer, type BatchExecutor, type Shard } from './shard.js';
import { listFiles } from './walk.js';

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

/** The detectors of a run: specs (plain data, rebuilt on workers), their built copies, and caller instances. */
export interface DetectorPlan {
  /** Specs rebuilt on workers (or in-process with workers: 0). */
  readonly specs: DetectorSpec[];
  /** Main-thread copies of the specs' detectors (validation, reduce). */
  readonly built: Detector[];
  /** Caller-supplied instances (main thread only). */
  readonly instances: Detector[];
}

/** Resolves the detector selection of `o` (loading benchmarks and the baseline once). */
export async function planDetectors(o: InspectOptions): Promise<DetectorPlan> {
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

/** Inspects a delivery and returns the report (verdict by `policy`, default DEFAULT_POLICY). */
export async function inspectDelivery(options: InspectOptions): Promise<InspectReport> {
  const startedAt = new Date().toISOString();
  const cwd = options.cwd ?? process.cwd();
  const files = await listFiles(options.paths, cwd);
  // Fail on an unknown format before any work starts.
  const formats = files.map((f) => detectFormat(f.absPath, options.format).format);
  const { specs, built, instances } = await planDetectors(options);
  const workerCount = Math.max(0, Math.floor(options.workers ?? Math.min(8, availableParallelism())));

  // Detectors as reported and reduced: specs first (built copies), then instances.
  const all: Detector[] = [...built, ...instances];
  const inProcess: Detector[] = workerCount === 0 ? all : instances;
  const onWorkers: Detector[] = workerCount === 0 ? [] : built;
  const pool: BatchPool | undefined = onWorkers.length > 0 ? createBatchPool(workerCount, { specs, overrides: options.fields }) : undefined;
  const exec: BatchExecutor = async (batch) => {
    const [w, m] = await Promise.all([pool ? pool.run(batch) : undefined, inProcess.length > 0 ? processBatch(inProcess, options.fields, batch) : undefined]);
    return joinResults(w, m);
  };

  const reducer = new ShardReducer(all);
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  let records = 0;
  let bytesDone = 0;
  try {
    for (const f of files) {
      const shard: Shard = { file: f.path, absPath: f.absPath, size: f.size, mtimeMs: 0, source: { kind: 'file' } };
      const out = await inspectShard(shard, {
        detectorCount: all.length,
        exec,
        ...(options.format ? { format: options.format } : {}),
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        maxInFlight: pool ? pool.size * 2 + 1 : 1,
        onBatch: (n) => options.onProgress?.({ records: records + n, bytes: bytesDone, totalBytes, file: f.path }),
      });
      reducer.add(out);
      records += out.records;
      bytesDone += f.size;
      options.onProgress?.({ records, bytes: bytesDone, totalBytes, file: f.path });
    }
  } finally {
    await pool?.close();
  }
  return reducer.finish({ files, formats, roots: options.paths, startedAt, policy: options.policy ?? DEFAULT_POLICY });
}

/** Concatenates the results of the worker group and the in-process group (plan order: specs, then instances). */
function joinResults(w: BatchResult | undefined, m: BatchResult | undefined): BatchResult {
  if (!w) return m ?? { findings: [], features: [], ms: [] };
  if (!m) return w;
  return { findings: [...w.findings, ...m.findings], features: [...w.features, ...m.features], ms: [...w.ms, ...m.ms] };
}
