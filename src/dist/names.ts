/** Queue naming shared by the coordinator and the workers. */
import { DistError } from './errors.js';

/** Default BullMQ queue of shard jobs. */
export const DEFAULT_QUEUE = 'provenant-inspect';
/** Default key prefix in Redis. */
export const DEFAULT_PREFIX = 'provenant';

/** The queue holding the parent (run) jobs of shard queue `queue`; no worker consumes it, the coordinator reduces. */
export function runsQueueName(queue: string): string {
  return `${queue}-runs`;
}

/** Validates a queue name or prefix (BullMQ joins keys with ':'); DIST_QUEUE_NAME otherwise. */
export function checkName(what: 'queue' | 'prefix', name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new DistError('DIST_QUEUE_NAME', `${what} ${JSON.stringify(name)} must be 1-100 letters, digits, '.', '_' or '-'`);
  }
  return name;
}

/** Version of the job payloads; a worker refuses jobs of another version. */
export const PAYLOAD_VERSION = 1;
