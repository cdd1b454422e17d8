/**
 * Distributed inspection benchmark (DESIGN §7, issue 6), one run: the same delivery inspected
 * single-process (default worker threads, and on one thread as the baseline for one worker
 * process) and with `--distributed` on 1 and 2 `provenant worker` processes on this machine.
 * Prints the speed-up and the queue overhead, checks the reports are equal (timing fields
 * removed) and appends a "## dist" section to bench/RESULTS.md.
 *
 *   npm run bench:dist     (Redis from PROVENANT_TEST_REDIS_URL, else redis://127.0.0.1:6379;
 *                           DIST_BENCH_MB=N sets the corpus size, default 24)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { appendFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { createRedisClient, parseRedisUrl, runsQueueName } from '../src/dist/index.js';
import { REPO, mb, sharedDir, table } from './lib.js';

const REDIS = process.env['PROVENANT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TARGET = Number(process.env['DIST_BENCH_MB'] ?? 24) * 1e6;
const SHARD_BYTES = 2 * 1024 * 1024;
const MAIN = join(REPO, 'build/src/cli/main.js');
const PREFIX = `pbench-${randomBytes(4).toString('hex')}`;
const QUEUE = 'bench';

async function buildCorpus(dir: string): Promise<string> {
  const src = readFileSync(join(sharedDir(), 'data/gsm8k-train.jsonl'), 'utf8').split('\n').filter(Boolean);
  const path = join(dir, 'delivery.jsonl');
  const out = createWriteStream(path);
  let bytes = 0;
  // Each round shifts the numbers, so rounds are near- rather than exact duplicates.
  for (let round = 0; bytes < TARGET; round++) {
    for (const line of src) {
      const r = JSON.parse(line) as { question: string; answer: string };
      const shift = (s: string): string => s.replace(/\d+/g, (d) => String(Number(d) + round));
      const text = `${JSON.stringify({ question: shift(r.question), answer: shift(r.answer) })}\n`;
      bytes += Buffer.byteLength(text);
      if (!out.write(text)) await new Promise<void>((res) => out.once('drain', () => res()));
      if (bytes >= TARGET) break;
    }
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  return path;
}

/** Runs `provenant ARGS` and returns wall ms and the JSON report (exit 0 or 1 = a verdict). */
async function timed(args: string[]): Promise<{ ms: number; report: Record<string, unknown> }> {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PROVENANT_NO_PROGRESS: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (code !== 0 && code !== 1) throw new Error(`provenant ${args.join(' ')} exited ${code}: ${stderr.slice(-1000)}`);
  return { ms, report: JSON.parse(stdout) as Record<string, unknown> };
}

function untimed(r: Record<string, unknown>): string {
  const { startedAt: _s, finishedAt: _f, detectors, ...rest } = r;
  return JSON.stringify({ ...rest, detectors: (detectors as Record<string, unknown>[]).map((d) => ({ ...d, ms: 0 })) });
}

async function startWorkers(n: number): Promise<ChildProcess[]> {
  const procs: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const p = spawn(process.execPath, [MAIN, 'worker', '--redis', REDIS, '--queue', QUEUE, '--prefix', PREFIX], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((res, rej) => {
      let text = '';
      p.stderr?.setEncoding('utf8').on('data', (d: string) => {
        text += d;
        if (text.includes('worker ready')) res();
      });
      p.on('exit', (c) => rej(new Error(`worker exited ${c}: ${text}`)));
    });
    procs.push(p);
  }
  return procs;
}

async function stopWorkers(procs: ChildProcess[]): Promise<void> {
  await Promise.all(procs.map((p) => new Promise<void>((res) => {
    p.on('exit', () => res());
    p.kill('SIGTERM');
  })));
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-dist-'));
  try {
    const file = await buildCorpus(dir);
    const size = (await stat(file)).size;
    const records = readFileSync(file).reduce((n, b) => (b === 0x0a ? n + 1 : n), 0);
    console.log(`dist benchmark: ${mb(size)} MB, ${records} records (gsm8k-train rounds), shards of ${mb(SHARD_BYTES)} MB, ${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(2)}`);
    const dist = ['inspect', file, '--json', '--distributed', REDIS, '--queue', QUEUE, '--prefix', PREFIX, '--shard-bytes', String(SHARD_BYTES)];

    const threads = await timed(['inspect', file, '--json']);
    const one = await timed(['inspect', file, '--json', '--workers', '0']);
    let w = await startWorkers(1);
    const d1 = await timed(dist);
    await stopWorkers(w);
    w = await startWorkers(2);
    const d2 = await timed(dist);
    await stopWorkers(w);

    const same = [one, d1, d2].every((r) => untimed(r.report) === untimed(threads.report));
    const shards = Math.ceil(size / SHARD_BYTES);
    const rows: (string | number)[][] = [
      ['run', 'wall s', 'MB/s', 'vs 1 thread'],
      ['single process, worker threads (default)', (threads.ms / 1000).toFixed(2), (size / 1e3 / threads.ms).toFixed(1), `${(one.ms / threads.ms).toFixed(2)}x`],
      ['single process, one thread (baseline)', (one.ms / 1000).toFixed(2), (size / 1e3 / one.ms).toFixed(1), '1.00x'],
      ['--distributed, 1 worker process', (d1.ms / 1000).toFixed(2), (size / 1e3 / d1.ms).toFixed(1), `${(one.ms / d1.ms).toFixed(2)}x`],
      ['--distributed, 2 worker processes', (d2.ms / 1000).toFixed(2), (size / 1e3 / d2.ms).toFixed(1), `${(one.ms / d2.ms).toFixed(2)}x`],
    ];
    const overhead = (d1.ms / one.ms - 1) * 100;
    const summary = [
      `speed-up 2 workers vs 1 worker: ${(d1.ms / d2.ms).toFixed(2)}x; 2 workers vs single process with threads: ${(threads.ms / d2.ms).toFixed(2)}x`,
      `overhead of the queue (1 worker vs 1 thread, same CPU): ${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)}% (${((d1.ms - one.ms) / 1000).toFixed(2)} s over ~${shards} shards)`,
      `reports equal to the single-process report (timing fields removed): ${same ? 'yes' : 'NO'}`,
    ];
    console.log(table(rows));
    for (const s of summary) console.log(s);
    if (!same) process.exitCode = 1;
    if (!process.argv.includes('--no-results')) {
      const section = [
        '',
        '## dist',
        '',
        `\`npm run bench:dist\` (bench/dist.ts), ${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} shared cores, load ${loadavg()[0]?.toFixed(2)};`,
        `one ${mb(size)} MB JSONL delivery (${records} records, gsm8k-train rounds with shifted numbers), default detectors,`,
        `shards of ${mb(SHARD_BYTES)} MB, Redis ${parseRedisUrl(REDIS).display}, workers on the same machine.`,
        '',
        '| run | wall s | MB/s | vs one thread |',
        '|---|---|---|---|',
        ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`),
        '',
        ...summary.map((s) => `- ${s}`),
        '',
      ].join('\n');
      await appendFile(join(REPO, 'bench/RESULTS.md'), section);
      console.log('\nappended "## dist" to bench/RESULTS.md');
    }
  } finally {
    const client = createRedisClient(parseRedisUrl(REDIS));
    for (const name of [QUEUE, runsQueueName(QUEUE)]) {
      const q = new Queue(name, { connection: client, prefix: PREFIX });
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    client.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
