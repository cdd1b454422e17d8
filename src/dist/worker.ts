/**
 * Shard workers: processes of any number, on any machines that see the delivery at the same
 * absolute paths, take shard jobs from the queue, check the file is unchanged, inspect the shard
 * and return its output. A worker that dies mid-shard stops renewing its job lock; another worker's
 * stalled-job check moves the job back to the queue (BullMQ stalled jobs), so it runs again.
 * Input errors are deterministic, so a failing shard is not retried: it fails the run at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { ProvenantError } from '../core/index.js';
import { builtinRegistry, inspectShard, processBatch, type Detector, type DetectorSpec, type FieldOverrides, type Shard } from '../inspect/index.js';
import type { RecordFormat } from '../records/index.js';
import { decodeValue, encodeValue } from './codec.js';
import { DistError } from './errors.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE, PAYLOAD_VERSION, checkName, runsQueueName } from './names.js';
import { checkShardFile } from './plan.js';
import { checkReachable, createRedisClient, parseRedisUrl } from './redis.js';

/** Run-wide settings, stored once in the parent job. */
export interface RunSetup {
  readonly specs: readonly DetectorSpec[];
  readonly fields?: FieldOverrides;
  readonly format?: RecordFormat;
  readonly batchSize?: number;
  /** Findings kept whole per (detector, rule) in a shard's output (older coordinators: all). */
  readonly keepPerRule?: number;
}

/** Data of a shard job. */
export interface ShardJobData {
  readonly v: number;
  readonly run: string;
  readonly seq: number;
  readonly shard: Shard;
}

/** A failed shard's error, carried in the job's failedReason. */
export interface RemoteError {
  readonly code: string;
  readonly kind: ProvenantError['kind'];
  readonly message: string;
  readonly location?: ProvenantError['location'];
}

export type WorkerEvent =
  | { readonly type: 'ready'; readonly queue: string; readonly concurrency: number }
  | { readonly type: 'start' | 'done'; readonly job: string; readonly shard: Shard; readonly ms?: number; readonly records?: number }
  | { readonly type: 'failed'; readonly job: string; readonly code: string; readonly message: string }
  | { readonly type: 'stalled'; readonly job: string }
  | { readonly type: 'error'; readonly message: string };

export interface ShardWorkerOptions {
  /** redis:// or rediss:// URL. */
  readonly redis: string;
  readonly queue?: string;
  readonly prefix?: string;
  /** Shards processed at once by this process (default 1; detectors are CPU-bound, so run one process per core). */
  readonly concurrency?: number;
  /** Job lock (ms, default 30000): a dead worker's shard is retried after at most this long. */
  readonly lockDuration?: number;
  /** How often this worker looks for stalled jobs (ms, default 30000). */
  readonly stalledInterval?: number;
  /** Test hook: wait this long before inspecting each shard. */
  readonly shardDelayMs?: number;
  readonly onEvent?: (e: WorkerEvent) => void;
}

export interface ShardWorker {
  /** Stops taking jobs and waits for the running ones (`force` abandons them to the stalled check). */
  close(force?: boolean): Promise<void>;
}

interface LoadedRun {
  readonly detectors: Detector[];
  readonly setup: RunSetup;
}

function isShardJobData(d: unknown): d is ShardJobData {
  if (typeof d !== 'object' || d === null) return false;
  const o = d as Record<string, unknown>;
  const s = o['shard'] as Record<string, unknown> | undefined;
  return o['v'] === PAYLOAD_VERSION && typeof o['run'] === 'string' && typeof o['seq'] === 'number' && typeof s === 'object' && s !== null &&
    typeof s['file'] === 'string' && typeof s['absPath'] === 'string' && typeof s['size'] === 'number' && typeof s['mtimeMs'] === 'number' && typeof s['source'] === 'object';
}

/** Turns any error into the failedReason text the coordinator decodes. */
export function encodeFailure(err: unknown): string {
  const e: RemoteError =
    err instanceof ProvenantError
      ? { code: err.code, kind: err.kind, message: err.message, ...(err.location ? { location: err.location } : {}) }
      : { code: 'DIST_SHARD_FAILED', kind: 'internal', message: err instanceof Error ? err.message : String(err) };
  return JSON.stringify(e);
}

/** Starts a shard worker; DIST_REDIS_UNREACHABLE when Redis does not answer. */
export async function startShardWorker(options: ShardWorkerOptions): Promise<ShardWorker> {
  const target = parseRedisUrl(options.redis);
  const queue = checkName('queue', options.queue ?? DEFAULT_QUEUE);
  const prefix = checkName('prefix', options.prefix ?? DEFAULT_PREFIX);
  await checkReachable(target);
  const emit = options.onEvent ?? (() => undefined);
  const client = createRedisClient(target);
  const runs = new Queue(runsQueueName(queue), { connection: client, prefix });
  runs.on('error', (err) => emit({ type: 'error', message: err.message }));
  const loaded = new Map<string, Promise<LoadedRun>>();

  const loadRun = (job: Job<ShardJobData>): Promise<LoadedRun> => {
    const run = job.data.run;
    let p = loaded.get(run);
    if (!p) {
      p = (async () => {
        const parentId = job.parent?.id;
        const parent = parentId === undefined ? undefined : await Job.fromId(runs, parentId);
        if (!parent) throw new DistError('DIST_RUN_LOST', `run ${run} is gone from the queue (removed or expired); start the inspection again`, { kind: 'internal' });
        const setup = decodeValue((parent.data as { setup?: unknown }).setup, 'the run setup') as RunSetup;
        return { setup, detectors: builtinRegistry().createAll(setup.specs) };
      })();
      // Keep a few runs: a fleet usually serves one run at a time.
      loaded.set(run, p);
      if (loaded.size > 4) loaded.delete(loaded.keys().next().value as string);
      p.catch(() => loaded.delete(run));
    }
    return p;
  };

  const processor = async (job: Job<ShardJobData>): Promise<string> => {
    try {
      if (!isShardJobData(job.data)) throw new DistError('DIST_PAYLOAD_INVALID', `job ${job.id ?? '?'} is not a provenant shard of payload version ${PAYLOAD_VERSION}; run the same provenant version everywhere`, { kind: 'internal' });
      const { shard, seq } = job.data;
      emit({ type: 'start', job: job.id ?? '?', shard });
      const t0 = Date.now();
      const { setup, detectors } = await loadRun(job);
      if (options.shardDelayMs) await sleep(options.shardDelayMs);
      await checkShardFile(shard);
      const out = await inspectShard(shard, {
        detectorCount: detectors.length,
        exec: async (batch) => processBatch(detectors, setup.fields, batch),
        ...(setup.format ? { format: setup.format } : {}),
        ...(setup.batchSize !== undefined ? { batchSize: setup.batchSize } : {}),
        ...(setup.keepPerRule !== undefined ? { keepPerRule: setup.keepPerRule } : {}),
      });
      emit({ type: 'done', job: job.id ?? '?', shard, ms: Date.now() - t0, records: out.records });
      return encodeValue({ seq, out });
    } catch (err) {
      const reason = encodeFailure(err);
      const parsed = JSON.parse(reason) as RemoteError;
      emit({ type: 'failed', job: job.id ?? '?', code: parsed.code, message: parsed.message });
      // Reading a shard is deterministic: another attempt would fail the same way.
      throw new UnrecoverableError(reason);
    }
  };

  const worker = new Worker<ShardJobData, string>(queue, processor, {
    connection: client,
    prefix,
    concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)),
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
    // A shard whose worker died is retried once more; twice in a row points at the shard itself.
    maxStalledCount: 2,
  });
  worker.on('error', (err) => emit({ type: 'error', message: err.message }));
  worker.on('stalled', (jobId) => emit({ type: 'stalled', job: jobId }));
  await worker.waitUntilReady();
  emit({ type: 'ready', queue, concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)) });
  return {
    async close(force = false) {
      await worker.close(force);
      await runs.close();
      client.disconnect();
    },
  };
}
