/** dist: inspection sharded over BullMQ workers on Redis (DESIGN §7). */
export { inspectDistributed, type DistributedOptions } from './coordinator.js';
export { startShardWorker, type ShardWorker, type ShardWorkerOptions, type WorkerEvent, type RunSetup, type ShardJobData } from './worker.js';
export { planShards, checkShardFile, DEFAULT_SHARD_BYTES } from './plan.js';
export { parseRedisUrl, checkReachable, createRedisClient, type RedisConnection, type RedisTarget } from './redis.js';
export { DEFAULT_QUEUE, DEFAULT_PREFIX, runsQueueName } from './names.js';
export { DistError } from './errors.js';
