/**
 * The coordinating side of a distributed inspection (DESIGN §7): plans the shards, enqueues them
 * as the children of one BullMQ parent job (a flow: map = children on workers, reduce = here),
 * waits for the children, and reduces their outputs in delivery order with the same ShardReducer
 * the single-process engine uses, so the report is the same. A failed shard fails the run with
 * the shard's own coded error; a run never yields a partial report.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowProducer, Job, Queue } from 'bullmq';
import { ProvenantError } from '../core/index.js';
import { DEFAULT_POLICY, InspectError, listFiles, maxFindingsPerRule, planDetectors, ShardReducer, type InspectOptions, type InspectReport, type ShardOutput } from '../inspect/index.js';
import { detectFormat } from '../records/index.js';
import { decodeValue, encodeValue } from './codec.js';
import { DistError } from './errors.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE, PAYLOAD_VERSION, checkName, runsQueueName } from './names.js';
import { planShards } from './plan.js';
import { checkReachable, createRedisClient, parseRedisUrl } from './redis.js';
import type { RemoteError, RunSetup, ShardJobData } from './worker.js';

export interface DistributedOptions extends Omit<InspectOptions, 'workers' | 'onProgress'> {
  /** redis:// or rediss:// URL of the queue. */
  readonly redis: string;
  readonly queue?: string;
  readonly prefix?: string;
  /** Target shard size in bytes for line files (default 64 MiB). */
  readonly shardBytes?: number;
  /** How often to look at the run (ms, default 100). */
  readonly pollMs?: number;
  /** Progress: shards finished of total, and the bytes they cover. */
  readonly onProgress?: (p: { shards: number; totalShards: number; bytes: number; totalBytes: number }) => void;
}

function remoteError(reason: string | undefined, file: string): ProvenantError {
  try {
    const e = JSON.parse(reason ?? '') as RemoteError;
    if (typeof e.code === 'string' && typeof e.message === 'string') {
      const kind = e.kind === 'input' || e.kind === 'verification' || e.kind === 'internal' ? e.kind : 'internal';
      // The shard's own code (RECORD_*, INSPECT_*, DIST_*), as the single-process run would raise it.
      return e.code.startsWith('DIST_') ? new DistError(e.code, e.message, { kind, ...(e.location ? { location: e.location } : {}) }) : new InspectError(e.code, e.message, { kind, ...(e.location ? { location: e.location } : {}) });
    }
  } catch {
    // not one of ours: a stall limit or a queue-side failure
  }
  return new DistError('DIST_SHARD_FAILED', `a shard failed on a worker: ${reason ?? 'no reason given'}; check the worker logs and run again`, { kind: 'internal', location: { file } });
}

/** Inspects a delivery on a worker fleet; same report as inspectDelivery, up to timing fields. */
export async function inspectDistributed(o: DistributedOptions): Promise<InspectReport> {
  const startedAt = new Date().toISOString();
  const target = parseRedisUrl(o.redis);
  const queue = checkName('queue', o.queue ?? DEFAULT_QUEUE);
  const prefix = checkName('prefix', o.prefix ?? DEFAULT_PREFIX);
  const cwd = o.cwd ?? process.cwd();
  const files = await listFiles(o.paths, cwd);
  const formats = files.map((f) => detectFormat(f.absPath, o.format).format);
  const { onProgress: _p, ...planOptions } = o;
  const { specs, built, instances } = await planDetectors(planOptions);
  if (instances.length > 0) throw new DistError('DIST_DETECTOR_INSTANCE', 'detector instances cannot run on remote workers; select detectors by id or spec');
  const shards = await planShards(files, { ...(o.format ? { format: o.format } : {}), ...(o.shardBytes !== undefined ? { shardBytes: o.shardBytes } : {}) });
  await checkReachable(target);

  const setup: RunSetup = {
    specs,
    ...(o.fields ? { fields: o.fields } : {}),
    ...(o.format ? { format: o.format } : {}),
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
    // Workers send whole only the findings the report can list; the rest compacted.
    keepPerRule: maxFindingsPerRule(o.maxFindingsPerRule),
  };
  const run = randomUUID();
  const runsName = runsQueueName(queue);
  const client = createRedisClient(target);
  const conn = { connection: client, prefix };
  const flow = new FlowProducer(conn);
  const runs = new Queue(runsName, conn);
  const shardQueue = new Queue(queue, conn);
  // Connection errors surface as rejected calls below; without listeners they would also be thrown as events.
  flow.on('error', () => undefined);
  runs.on('error', () => undefined);
  shardQueue.on('error', () => undefined);
  let parent: Job | undefined;
  try {
    const tree = await flow.add({
      name: 'inspect',
      queueName: runsName,
      data: { v: PAYLOAD_VERSION, run, setup: encodeValue(setup) },
      opts: { jobId: run },
      children: shards.map((shard, seq) => ({
        name: 'shard',
        queueName: queue,
        data: { v: PAYLOAD_VERSION, run, seq, shard } satisfies ShardJobData,
        opts: { failParentOnFailure: true, attempts: 1 },
      })),
    });
    parent = tree.job;
    const totalBytes = shards.reduce((s, x) => s + (x.source.kind === 'lines' ? x.source.end - x.source.start : x.size), 0);
    const pollMs = Math.max(10, o.pollMs ?? 100);
    for (;;) {
      const state = await parent.getState();
      if (state === 'waiting-children') {
        if (o.onProgress) {
          const c = await parent.getDependenciesCount({ processed: true });
          const done = c.processed ?? 0;
          o.onProgress({ shards: done, totalShards: shards.length, bytes: Math.round((totalBytes * done) / Math.max(1, shards.length)), totalBytes });
        }
        await sleep(pollMs);
        continue;
      }
      if (state === 'unknown') throw new DistError('DIST_RUN_LOST', `run ${run} disappeared from the queue (removed or Redis flushed); run again`, { kind: 'internal' });
      break;
    }
    const fresh = await Job.fromId(runs, run);
    const deferred = fresh?.deferredFailure || (fresh?.failedReason ?? '');
    if (deferred) {
      // "child <prefix>:<queue>:<id> failed": fetch that child for its coded error.
      const m = /^child (.+) failed$/.exec(deferred);
      const key = m?.[1] ?? '';
      const base = `${prefix}:${queue}:`;
      const child = key.startsWith(base) ? await Job.fromId<ShardJobData>(shardQueue, key.slice(base.length)) : undefined;
      throw remoteError(child?.failedReason, child?.data.shard.file ?? '');
    }
    const values = await parent.getChildrenValues<string>();
    const outputs = new Array<ShardOutput | undefined>(shards.length);
    for (const v of Object.values(values)) {
      const r = decodeValue(v, 'a shard result') as { seq: number; out: ShardOutput };
      if (!Number.isInteger(r.seq) || r.seq < 0 || r.seq >= shards.length) throw new DistError('DIST_PAYLOAD_INVALID', `a shard result names shard ${String(r.seq)} of ${shards.length}`, { kind: 'internal' });
      outputs[r.seq] = r.out;
    }
    // The same policy object reduces and finishes, so only the listed findings are held (as in one process).
    const policy = o.policy ?? DEFAULT_POLICY;
    const reducer = new ShardReducer(built, { policy, ...(o.maxFindingsPerRule !== undefined ? { maxFindingsPerRule: o.maxFindingsPerRule } : {}) });
    try {
      outputs.forEach((out, seq) => {
        if (!out) throw new DistError('DIST_RUN_INCOMPLETE', `shard ${seq} (${shards[seq]?.file ?? '?'}) has no result; refusing a partial report, run again`, { kind: 'internal' });
        reducer.add(out);
      });
    } catch (err) {
      // finish removes the spilled features; a run that stops before it must too.
      reducer.dispose();
      throw err;
    }
    o.onProgress?.({ shards: shards.length, totalShards: shards.length, bytes: totalBytes, totalBytes });
    return reducer.finish({ files, formats, roots: o.paths, startedAt, policy });
  } catch (err) {
    if (err instanceof ProvenantError) throw err;
    throw new DistError('DIST_REDIS_FAILED', `the queue failed: ${err instanceof Error ? err.message : String(err)}; check Redis at ${target.display}`, { kind: 'internal', cause: err });
  } finally {
    // Removing the parent removes its children: waiting shards of a failed run are not processed.
    await parent?.remove().catch(() => undefined);
    await Promise.allSettled([flow.close(), runs.close(), shardQueue.close()]);
    client.disconnect();
  }
}
