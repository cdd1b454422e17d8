/** provenant worker: processes inspection shards from a Redis queue until stopped (DESIGN §7). */
import { InputError } from '../../core/index.js';
import { startShardWorker, type WorkerEvent } from '../../dist/index.js';
import { optString, type Command, type Invocation } from '../command.js';

function intFlag(inv: Invocation, name: string, min: number, max: number): number | undefined {
  const s = optString(inv, name);
  if (s === undefined) return undefined;
  if (!/^\d{1,9}$/.test(s) || Number(s) < min || Number(s) > max) throw new InputError('CLI_USAGE', `--${name} must be an integer ${min}..${max}, not ${JSON.stringify(s)}`);
  return Number(s);
}

function describe(e: WorkerEvent): string {
  switch (e.type) {
    case 'ready':
      return `worker ready: queue ${e.queue}, concurrency ${e.concurrency}`;
    case 'start':
    case 'done': {
      const s = e.shard.source;
      const where = s.kind === 'lines' ? `${e.shard.file} bytes ${s.start}-${s.end} (from line ${s.firstLine})` : e.shard.file;
      return e.type === 'start' ? `shard ${e.job} start: ${where}` : `shard ${e.job} done: ${where}, ${e.records ?? 0} records in ${e.ms ?? 0} ms`;
    }
    case 'failed':
      return `shard ${e.job} failed: ${e.code}: ${e.message}`;
    case 'stalled':
      return `shard ${e.job} stalled (its worker died); queued again`;
    case 'error':
      return `queue error: ${e.message}`;
  }
}

export const worker: Command = {
  name: 'worker',
  summary: 'process inspection shards from a Redis queue (inspect --distributed) until stopped',
  usage: 'worker --redis URL [--concurrency N] [--queue NAME] [--prefix P] [--lock-ms MS] [--stalled-ms MS]',
  details: [
    'Run any number of workers, on any machines that see the delivery at the same absolute path',
    '(a shared filesystem); each shard names its file by absolute path with its size and mtime,',
    'and a worker refuses a file that changed (DIST_SHARD_CHANGED). A worker that dies mid-shard',
    'loses its lock after --lock-ms; another worker then runs the shard again.',
    'Logs one line per shard on stderr. SIGINT/SIGTERM: finish running shards and stop (twice: stop now).',
    'Exit codes: 0 stopped, 2 usage or Redis unreachable (DIST_REDIS_UNREACHABLE), 3 internal.',
  ].join('\n'),
  options: {
    redis: { type: 'string', arg: 'URL', help: 'Redis URL, redis://HOST:PORT[/DB] or rediss://' },
    concurrency: { type: 'string', arg: 'N', help: 'shards at once in this process (default 1; run one process per core)' },
    queue: { type: 'string', arg: 'NAME', help: 'queue name (default provenant-inspect)' },
    prefix: { type: 'string', arg: 'P', help: 'Redis key prefix (default provenant)' },
    'lock-ms': { type: 'string', arg: 'MS', help: 'job lock; a dead worker\'s shard is retried after this (default 30000)' },
    'stalled-ms': { type: 'string', arg: 'MS', help: 'how often to look for shards of dead workers (default 30000)' },
  },
  maxPositionals: 0,
  async run(inv) {
    const redis = optString(inv, 'redis') ?? inv.io.env['PROVENANT_REDIS_URL'];
    if (redis === undefined) throw new InputError('CLI_USAGE', 'missing --redis URL (or PROVENANT_REDIS_URL)');
    const concurrency = intFlag(inv, 'concurrency', 1, 256);
    const lockMs = intFlag(inv, 'lock-ms', 100, 3_600_000);
    const stalledMs = intFlag(inv, 'stalled-ms', 100, 3_600_000);
    const queue = optString(inv, 'queue');
    const prefix = optString(inv, 'prefix');
    // Test hook only (undocumented): slows every shard so tests can kill a worker mid-shard.
    const delay = Number(inv.io.env['PROVENANT_DIST_SHARD_DELAY_MS'] ?? 0);
    const log = (e: WorkerEvent): void => {
      if (inv.json) inv.io.stderr.write(`${JSON.stringify(e.type === 'start' || e.type === 'done' ? { ...e, shard: { file: e.shard.file, source: e.shard.source } } : e)}\n`);
      else inv.io.stderr.write(`${describe(e)}\n`);
    };
    const w = await startShardWorker({
      redis,
      ...(queue !== undefined ? { queue } : {}),
      ...(prefix !== undefined ? { prefix } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(lockMs !== undefined ? { lockDuration: lockMs } : {}),
      ...(stalledMs !== undefined ? { stalledInterval: stalledMs } : {}),
      ...(Number.isFinite(delay) && delay > 0 ? { shardDelayMs: delay } : {}),
      onEvent: log,
    });
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (): void => {
        const force = stopping;
        stopping = true;
        inv.io.stderr.write(force ? 'stopping now\n' : 'stopping: finishing running shards (signal again to stop now)\n');
        void w.close(force).then(() => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
