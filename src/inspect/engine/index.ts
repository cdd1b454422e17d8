/** inspect/engine: sharded, multi-threaded inspection of a delivery into an InspectReport. */
export { inspectDelivery, planDetectors, loadBaseline, loadBenchmarks, DEFAULT_DETECTORS, type DetectorPlan, type InspectOptions, type InspectProgress } from './inspect.js';
export { builtinRegistry, createDetector, DetectorRegistry, DETECTOR_IDS, type DetectorFactory, type DetectorOptionsMap, type DetectorSpec } from './registry.js';
export { processBatch, recordView, type BatchRecord, type BatchResult } from './batch.js';
export {
  inspectShard,
  readShard,
  ShardReducer,
  maxFindingsPerRule,
  DEFAULT_MAX_FINDINGS_PER_RULE,
  type BatchExecutor,
  type FinishOptions,
  type InspectShardOptions,
  type ReducerOptions,
  type Shard,
  type ShardOutput,
  type ShardSource,
} from './shard.js';
export { compactFindings, expandFindings, type CompactFindings } from './compact.js';
export { reduceDetector, type ReduceInput, type ReduceOutput, type ReduceRunner } from './reduce.js';
export type { ShardRefs, SpillInput } from './spill.js';
export { packFeatures, unpackFeatures, isPacked, type PackedFeatures } from './pack.js';
export { planShards, LOCAL_SHARD_BYTES, type PlanShardsOptions } from './plan.js';
export { createShardPool, type ShardPool, type WorkerSetup } from './pool.js';
export { listFiles, compareBytewise, type InspectFile } from './walk.js';
export { InspectError } from './errors.js';
