/**
 * The inspection engine (DESIGN §5): plans the delivery as shards (newline-aligned byte ranges of
 * a few MB for plain JSONL/text, Parquet row groups, else whole files); each worker thread
 * inspects whole shards (reads, parses, builds record views, runs per-record detectors and
 * dataset-detector feature extraction) and posts back only the shard's findings and compact
 * features. The main thread reduces the outputs strictly in shard order, applying the policy as
 * findings arrive and listing at most a cap of findings per rule, runs the dataset detectors'
 * reduce once at the end and builds the report. A reader error (malformed record, unknown format)
 * aborts the run with its coded error: there is never a partial report.
 */
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { detectFormat, readRecords, type RecordFormat } from '../../records/index.js';
import { benchmarkItems, type Benchmark } from '../detectors/contamination/index.js';
import { driftFeatures, profile, type DriftFeatures, type DriftProfile } from '../detectors/drift/index.js';
import type { FieldOverrides } from '../fields/index.js';
import { DEFAULT_POLICY, type Policy } from '../policy/index.js';
import type { Detector, DetectorId, InspectReport } from '../types.js';
import { processBatch, recordView } from './batch.js';
import { InspectError } from './errors.js';
import { planShards, shardBytesOf } from './plan.js';
import { createShardPool, type ShardPool } from './pool.js';
import { builtinRegistry, type DetectorSpec } from './registry.js';
import { joinCompact } from './compact.js';
import { inspectShard, maxFindingsPerRule, ShardReducer, type Shard, type ShardOutput } from './shard.js';
import { listFiles } from './walk.js';

/** Progress of a run, reported after each shard (and each batch when running on the calling thread). */
export interface InspectProgress {
  readonly records: number;
  /** Bytes of the shards finished so far. */
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
  /**
   * Deliveries of fewer records reduce their dataset detectors side by side on the worker threads
   * (default 2,000,000); larger ones stop the workers first (their heaps go) and reduce one
   * detector after another on the calling thread, so memory holds one reduce's state at a time.
   */
  readonly parallelReduceMaxRecords?: number;
  /** Records per detector batch (default 500). */
  readonly batchSize?: number;
  /** Target shard size in bytes for large plain JSONL/text and Parquet files (default 4 MiB). */
  readonly shardBytes?: number;
  /** Findings listed per (detector, rule) in the report, the first in delivery order (default 1000; 0 = all). Counts stay exact. */
  readonly maxFindingsPerRule?: number;
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
  const policy = options.policy ?? DEFAULT_POLICY;
  const shards = await planShards(files, { ...(options.format ? { format: options.format } : {}), ...(options.shardBytes !== undefined ? { shardBytes: options.shardBytes } : {}) });

  // Detectors as reported and reduced: specs first (built copies), then instances.
  const all: Detector[] = [...built, ...instances];
  const onWorkers = workerCount > 0 && built.length > 0;
  const inProcess: Detector[] = onWorkers ? instances : all;
  const reducer = new ShardReducer(all, { policy, ...(options.maxFindingsPerRule !== undefined ? { maxFindingsPerRule: options.maxFindingsPerRule } : {}) });
  // Shards send whole only the findings the report can list (the cap per rule); the rest compacted.
  const keepPerRule = maxFindingsPerRule(options.maxFindingsPerRule);
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  let records = 0;
  let bytesDone = 0;
  const local = (shard: Shard): Promise<ShardOutput> =>
    inspectShard(shard, {
      detectorCount: inProcess.length,
      exec: async (batch) => processBatch(inProcess, options.fields, batch),
      ...(options.format ? { format: options.format } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      keepPerRule,
      onBatch: (n) => options.onProgress?.({ records: records + n, bytes: bytesDone, totalBytes, file: shard.file }),
    });
  const done = (i: number, out: ShardOutput): void => {
    const shard = shards[i] as Shard;
    reducer.add(out);
    records += out.records;
    bytesDone += shardBytesOf(shard, shards[i + 1]?.file !== shard.file);
    options.onProgress?.({ records, bytes: bytesDone, totalBytes, file: shard.file });
  };

  try {
    if (!onWorkers) {
      for (let i = 0; i < shards.length; i++) done(i, await local(shards[i] as Shard));
      return reducer.finish({ files, formats, roots: options.paths, startedAt, policy });
    }
    return await onPool();
  } finally {
    // A run that failed leaves no spilled features behind (a finished one removed them already).
    reducer.dispose();
  }

  async function onPool(): Promise<InspectReport> {
    const pool: ShardPool = createShardPool(workerCount, {
      specs,
      overrides: options.fields,
      ...(options.format ? { format: options.format } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      keepPerRule,
      policy,
    });
    try {
      // At most two shards per worker in flight; outputs are reduced strictly in shard order.
      const window = pool.size * 2;
      const inFlight: Promise<ShardOutput>[] = [];
      let next = 0;
      const launch = (): void => {
        const p = pool.run(shards[next++] as Shard);
        // Handled here, rethrown when its turn comes: a failing shard must not crash the process meanwhile.
        p.catch(() => undefined);
        inFlight.push(p);
      };
      while (next < shards.length && inFlight.length < window) launch();
      for (let i = 0; i < shards.length; i++) {
        const remote = inFlight.shift() as Promise<ShardOutput>;
        const mine = inProcess.length > 0 ? await local(shards[i] as Shard) : undefined;
        const out = await remote;
        if (next < shards.length) launch();
        done(i, mine ? joinOutputs(out, mine) : out);
      }
      const finish = { files, formats, roots: options.paths, startedAt, policy };
      // Small deliveries: the dataset detectors' reduces run on the pool side by side (caller
      // instances here). Large ones: the workers exit first, then one reduce at a time here.
      if (records < (options.parallelReduceMaxRecords ?? PARALLEL_REDUCE_MAX_RECORDS)) return await reducer.finishWith(finish, (k, input) => (k < specs.length ? pool.reduce(k, input) : undefined));
      await pool.close();
      return reducer.finish(finish);
    } finally {
      await pool.close();
    }
  }
}

/** Default of `InspectOptions.parallelReduceMaxRecords`. */
const PARALLEL_REDUCE_MAX_RECORDS = 2_000_000;

/** One shard's outputs of the worker group and the in-process group (plan order: specs, then instances). */
function joinOutputs(w: ShardOutput, m: ShardOutput): ShardOutput {
  const more = joinCompact(w.more, m.more);
  return { ...w, findings: [...w.findings, ...m.findings], ...(more ? { more } : {}), features: [...w.features, ...m.features], ms: [...w.ms, ...m.ms] };
}
