/**
 * Distributed inspection against a real Redis and real worker processes (the built CLI). Runs
 * when PROVENANT_TEST_REDIS_URL is set (then it must not skip) or 127.0.0.1:6379 answers.
 */
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { inspectDelivery, type InspectReport } from '../inspect/index.js';
import { checkReachable, createRedisClient, parseRedisUrl } from './redis.js';
import { inspectDistributed, runsQueueName } from './index.js';
import { runProvenant, untimed } from './testkit.js';
import { sharedPath } from '../core/index.js';

const ENV_URL = process.env['PROVENANT_TEST_REDIS_URL'];
const URL_ = ENV_URL ?? 'redis://127.0.0.1:6379';
const available = await checkReachable(parseRedisUrl(URL_), 1000).then(
  () => true,
  () => false,
);
if (!available && ENV_URL !== undefined) throw new Error(`PROVENANT_TEST_REDIS_URL=${ENV_URL} is set but Redis does not answer`);
const skip = available ? false : 'no Redis (set PROVENANT_TEST_REDIS_URL or run Redis on 127.0.0.1:6379)';
if (skip) process.stderr.write(`dist tests skipped: ${skip}\n`);

const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const DATA = pathToFileURL(`${sharedPath('data')}/`);
const gsm = readFileSync(new URL('gsm8k-train.jsonl', DATA), 'utf8').split('\n').filter(Boolean);
// One queue namespace per test run, so parallel runs never share jobs; obliterated at the end.
const PREFIX = `ptest-${randomBytes(5).toString('hex')}`;
const FAST = ['--lock-ms', '800', '--stalled-ms', '300'];
let dir: string;
let single: InspectReport;
const workers = new Set<ChildProcess>();

interface Spawned {
  readonly proc: ChildProcess;
  log(): string;
  /** Resolves when the worker's stderr matches `re`. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

function startWorker(queue: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Spawned {
  const proc = spawn(process.execPath, [MAIN, 'worker', '--redis', URL_, '--queue', queue, '--prefix', PREFIX, ...extra], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  workers.add(proc);
  let text = '';
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  proc.stderr?.on('data', (c: Buffer) => {
    text += c.toString('utf8');
    for (const w of [...waiters]) {
      const m = w.re.exec(text);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => {
    workers.delete(proc);
    resolve(code);
  }));
  return {
    proc,
    log: () => text,
    exited,
    waitFor(re, ms = 15_000) {
      const m = re.exec(text);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`worker did not log ${re} in ${ms} ms; log:\n${text}`)), ms);
        waiters.push({ re, resolve: (x) => (clearTimeout(t), resolve(x)) });
      });
    },
  };
}

async function stop(w: Spawned): Promise<number | null> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return w.proc.exitCode;
  w.proc.kill('SIGTERM');
  return w.exited;
}

const usedQueues = new Set<string>();
const queueName = (name: string): string => {
  usedQueues.add(name);
  return name;
};

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'dist-redis-'));
  const rows = [...gsm.slice(0, 250), ...gsm.slice(0, 30), '{"question":"key AKIAIOSFODNN7EXAMPLF mail bob@example.com","answer":"x"}'];
  await writeFile(join(dir, 'a.jsonl'), rows.join('\n') + '\n');
  await writeFile(join(dir, 'b.csv'), 'text,label\nhello there,1\nfine day,0\n');
  await writeFile(join(dir, 'c.txt'), Array.from({ length: 300 }, (_, i) => `line ${i} of a text file ${i % 7}`).join('\n'));
  single = await inspectDelivery({ paths: ['.'], cwd: dir, workers: 0 });
});

after(async () => {
  for (const p of workers) p.kill('SIGKILL');
  if (skip) return;
  const client = createRedisClient(parseRedisUrl(URL_));
  try {
    for (const q of usedQueues) {
      for (const name of [q, runsQueueName(q)]) {
        const queue = new Queue(name, { connection: client, prefix: PREFIX });
        await queue.obliterate({ force: true });
        await queue.close();
      }
    }
    assert.deepEqual(await client.keys(`${PREFIX}:*`), [], 'nothing is left in Redis');
  } finally {
    client.disconnect();
  }
});

test('one worker process: the CLI prints the same report as the single-process run', { skip }, async () => {
  const queue = queueName('one');
  const w = startWorker(queue);
  await w.waitFor(/worker ready/);
  const local = await runProvenant(['inspect', '.', '--json', '--workers', '0'], dir);
  const dist = await runProvenant(['inspect', '.', '--json', '--distributed', URL_, '--queue', queue, '--prefix', PREFIX, '--shard-bytes', '30000'], dir);
  assert.equal(dist.code, local.code, dist.stderr);
  assert.equal(untimed(JSON.parse(dist.stdout) as InspectReport), untimed(JSON.parse(local.stdout) as InspectReport));
  assert.ok((w.log().match(/ done: /g) ?? []).length >= 6, 'the delivery was split into several shards');
  // The per-rule cap lists the same first findings with the same exact counts.
  const localCut = await runProvenant(['inspect', '.', '--json', '--workers', '0', '--max-findings-per-rule', '1'], dir);
  const distCut = await runProvenant(['inspect', '.', '--json', '--max-findings-per-rule', '1', '--distributed', URL_, '--queue', queue, '--prefix', PREFIX, '--shard-bytes', '30000'], dir);
  assert.equal(distCut.code, localCut.code, distCut.stderr);
  const cut = JSON.parse(distCut.stdout) as InspectReport & { truncated?: unknown[] };
  assert.ok((cut.truncated ?? []).length > 0, 'the cap cut some rule');
  assert.equal(untimed(cut), untimed(JSON.parse(localCut.stdout) as InspectReport));
  // SIGTERM: finishes and exits 0.
  assert.equal(await stop(w), 0);
});

test('three worker processes share the shards; the report is the same', { skip }, async () => {
  const queue = queueName('three');
  const ws = [startWorker(queue), startWorker(queue), startWorker(queue)];
  await Promise.all(ws.map((w) => w.waitFor(/worker ready/)));
  const report = await inspectDistributed({ paths: ['.'], cwd: dir, redis: URL_, queue, prefix: PREFIX, shardBytes: 8000, pollMs: 20 });
  assert.equal(untimed(report), untimed(single));
  const counts = ws.map((w) => (w.log().match(/ done: /g) ?? []).length);
  assert.ok(counts.reduce((a, b) => a + b, 0) >= 15, `shards: ${counts.join(',')}`);
  assert.ok(counts.filter((c) => c > 0).length >= 2, `more than one worker took shards: ${counts.join(',')}`);
  await Promise.all(ws.map(stop));
});

test('a worker killed mid-shard: another worker runs its shard again, the report is complete', { skip }, async () => {
  const queue = queueName('kill');
  const doomed = startWorker(queue, FAST, { PROVENANT_DIST_SHARD_DELAY_MS: '5000' });
  await doomed.waitFor(/worker ready/);
  const run = inspectDistributed({ paths: ['.'], cwd: dir, redis: URL_, queue, prefix: PREFIX, shardBytes: 30000, pollMs: 20 });
  const [, job] = await doomed.waitFor(/shard (\S+) start: /);
  doomed.proc.kill('SIGKILL');
  await doomed.exited;
  const rescuer = startWorker(queue, FAST);
  const report = await run;
  assert.equal(untimed(report), untimed(single));
  assert.match(rescuer.log(), new RegExp(`shard ${job} done: `), 'the killed shard ran on the other worker');
  await stop(rescuer);
});

test('a malformed record fails the run with its RECORD_* code, file and line (exit 2), never a partial report', { skip }, async () => {
  const queue = queueName('bad');
  const w = startWorker(queue);
  await w.waitFor(/worker ready/);
  const bad = await mkdtemp(join(tmpdir(), 'dist-bad-'));
  await writeFile(join(bad, 'a.jsonl'), gsm.slice(0, 20).join('\n') + '\n');
  await writeFile(join(bad, 'z.jsonl'), [...gsm.slice(0, 60), '{"question": "unterminated', ...gsm.slice(60, 70)].join('\n') + '\n');
  const r = await runProvenant(['inspect', '.', '--json', '--distributed', URL_, '--queue', queue, '--prefix', PREFIX, '--shard-bytes', '5000'], bad);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^RECORD_JSON_SYNTAX: z\.jsonl:61\b/m);
  const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; location: { file: string; line: number } } };
  assert.equal(out.ok, false);
  assert.deepEqual([out.error.code, out.error.location.file, out.error.location.line], ['RECORD_JSON_SYNTAX', 'z.jsonl', 61]);
  assert.ok(!('findings' in out), 'no report at all');
  await stop(w);
});

test('a file changed after planning is refused by the worker (DIST_SHARD_CHANGED)', { skip }, async () => {
  const queue = queueName('changed');
  const w = startWorker(queue, [], { PROVENANT_DIST_SHARD_DELAY_MS: '400' });
  await w.waitFor(/worker ready/);
  const d = await mkdtemp(join(tmpdir(), 'dist-chg-'));
  await writeFile(join(d, 'a.jsonl'), gsm.slice(0, 20).join('\n') + '\n');
  const run = inspectDistributed({ paths: ['.'], cwd: d, redis: URL_, queue, prefix: PREFIX, pollMs: 20 });
  await w.waitFor(/shard \S+ start: /);
  await appendFile(join(d, 'a.jsonl'), gsm[20] + '\n');
  await assert.rejects(run, { code: 'DIST_SHARD_CHANGED', location: { file: 'a.jsonl' } });
  await stop(w);
});
