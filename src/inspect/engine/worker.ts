/**
 * Worker thread entry: rebuilds the detectors from their specs, then inspects the shards it is
 * given one after another (read, parse, record views, detectors) and posts each shard's output.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProvenantError } from '../../core/index.js';
import type { FieldOverrides } from '../fields/index.js';
import { PolicyAccumulator } from '../policy/index.js';
import type { Detector } from '../types.js';
import { processBatch } from './batch.js';
import { builtinRegistry, type DetectorSpec } from './registry.js';
import type { WorkerReply, WorkerSetup } from './pool.js';
import { compactBuffers } from './compact.js';
import { InspectError } from './errors.js';
import { isPacked, packedBuffers } from './pack.js';
import { reduceDetector, type ReduceInput } from './reduce.js';
import { inspectShard, type Shard } from './shard.js';

function serialize(err: unknown): Extract<WorkerReply, { ok: false }>['error'] {
  if (err instanceof ProvenantError) return { code: err.code, kind: err.kind, message: err.message, ...(err.location ? { location: err.location } : {}) };
  const e = err instanceof Error ? err : new Error(String(err));
  return { code: 'INSPECT_WORKER_FAILED', kind: 'internal', message: e.message };
}

const port = parentPort;
if (port !== null) {
  const setup = workerData as WorkerSetup;
  let detectors: Detector[] | undefined;
  let initError: unknown;
  try {
    detectors = builtinRegistry().createAll(setup.specs as DetectorSpec[]);
  } catch (err) {
    initError = err;
  }
  const overrides = setup.overrides as FieldOverrides | undefined;
  const run = async (seq: number, shard: Shard): Promise<WorkerReply> => {
    try {
      if (detectors === undefined) throw initError;
      const ds = detectors;
      const result = await inspectShard(shard, {
        detectorCount: ds.length,
        exec: async (batch) => processBatch(ds, overrides, batch),
        ...(setup.format ? { format: setup.format } : {}),
        ...(setup.batchSize !== undefined ? { batchSize: setup.batchSize } : {}),
        ...(setup.keepPerRule !== undefined ? { keepPerRule: setup.keepPerRule } : {}),
      });
      return { seq, ok: true, result };
    } catch (err) {
      return { seq, ok: false, error: serialize(err) };
    }
  };
  const reduce = (seq: number, k: number, input: ReduceInput): WorkerReply => {
    try {
      if (detectors === undefined) throw initError;
      const d = detectors[k];
      if (d?.kind !== 'dataset') throw new InspectError('INSPECT_WORKER_FAILED', `no dataset detector at plan index ${k}`, { kind: 'internal' });
      // Findings past the report's cap per rule are compacted as the reduce yields them, as shards' are.
      const keep = setup.keepPerRule ?? 0;
      // A reduce reports over many files: findings the policy ignores must not use up the whole ones.
      const policy = setup.policy ? new PolicyAccumulator(setup.policy) : undefined;
      return { seq, ok: true, reduced: reduceDetector(d, input, keep, policy ? (f) => policy.drops(f) : undefined) };
    } catch (err) {
      return { seq, ok: false, error: serialize(err) };
    }
  };
  // One message at a time: the next waits for the previous (they are CPU-bound).
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (msg: { seq: number; shard?: Shard; reduce?: { k: number; input: ReduceInput } }) => {
    chain = chain.then(async () => {
      if (msg.reduce) {
        const reply = reduce(msg.seq, msg.reduce.k, msg.reduce.input);
        port.postMessage(reply, reply.ok && 'reduced' in reply && reply.reduced.more ? compactBuffers(reply.reduced.more) : []);
        return;
      }
      const reply = await run(msg.seq, msg.shard as Shard);
      // Packed feature buffers and compacted findings move to the main thread without a copy.
      const transfer =
        reply.ok && 'result' in reply ? [...reply.result.features.flatMap((f) => (isPacked(f) ? packedBuffers(f) : [])), ...(reply.result.more ? compactBuffers(reply.result.more) : [])] : [];
      port.postMessage(reply, transfer);
    });
  });
}
