/**
 * Transparency-log benchmark (DESIGN §8: ≥ 10,000 appends/s batched on SQLite; inclusion proof
 * < 1 ms). One run, each figure beside a baseline measured in the same invocation:
 *
 *   1. sequencer → SQLite (Merkle nodes + signed checkpoint per batch, WAL, synchronous=FULL)
 *      vs. a plain SQLite insert loop of the same entries in the same batches (no Merkle work)
 *   2. HTTP POST /add from concurrent keep-alive clients against `log serve` in a child process
 *      vs. the same clients against a bare node:http server that reads the body and answers 200;
 *      p50/p99 from sending an add to its answer (= entry in a committed, published checkpoint)
 *   3. inclusion proof generation (from SQLite) + verification vs. bare SHA-256 of 32 bytes ×
 *      proof length
 *
 *   node build/bench/log.js [--entries 50000] [--http 20000] [--clients 256] [--batch 1024]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { leafHash, sha256Hex } from '../src/core/index.js';
import { openSqliteLogDir } from '../src/store/index.js';
import { createSqliteLogStorage } from '../src/store/log/index.js';
import {
  createLogSequencer,
  encodeLogEntry,
  generateNoteKey,
  initLogDir,
  parseSignerKey,
  storedInclusionProof,
  verifyInclusion,
} from '../src/tlog/index.js';
import { table } from './lib.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('entries', 50_000);
const HTTP_N = arg('http', 20_000);
const CLIENTS = arg('clients', 256);
const BATCH = arg('batch', 1024);

const tmp = mkdtempSync(join(tmpdir(), 'provenant-bench-log-'));
const now = (): number => Number(process.hrtime.bigint()) / 1e6;

function entry(i: number): Buffer {
  const h = (s: string): string => sha256Hex(`${s}:${i}`);
  return encodeLogEntry({ envelope: h('e'), subjects: [h('a'), h('b')], recordRoot: h('r'), vendor: h('v'), client: h('c') });
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function benchStorage(entries: Buffer[]): Promise<{ log: number; base: number }> {
  // Baseline: the same entries, the same batch size, the same durability, no Merkle work.
  const basePath = join(tmp, 'plain.db');
  const db = new Database(basePath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE e (idx INTEGER PRIMARY KEY, data BLOB NOT NULL)');
  const ins = db.prepare('INSERT INTO e (idx, data) VALUES (?, ?)');
  const tx = db.transaction((start: number, batch: Buffer[]) => batch.forEach((e, i) => ins.run(start + i, e)));
  let t = now();
  for (let s = 0; s < entries.length; s += BATCH) tx(s, entries.slice(s, s + BATCH));
  const base = entries.length / ((now() - t) / 1000);
  db.close();

  const storage = await createSqliteLogStorage({ path: join(tmp, 'seq', 'log.db') });
  const signer = parseSignerKey(generateNoteKey('bench.example/log').signerKey);
  const seq = await createLogSequencer({ storage, signer, maxBatch: BATCH, maxDelayMs: 5 });
  t = now();
  await Promise.all(entries.map((e) => seq.add(e)));
  const log = entries.length / ((now() - t) / 1000);
  await seq.close();
  await storage.close();
  return { log, base };
}

async function benchProofs(entries: Buffer[]): Promise<{ proofUs: number; baseUs: number; length: number }> {
  const storage = await createSqliteLogStorage({ path: join(tmp, 'seq', 'log.db') });
  const size = entries.length;
  const root = (await import('../src/tlog/index.js')).storedTreeRoot;
  const rootHash = await root(storage, size);
  const K = 2000;
  const idx = Array.from({ length: K }, (_, i) => (i * 7919) % size);
  let length = 0;
  let t = now();
  for (const i of idx) {
    const proof = await storedInclusionProof(storage, i, size);
    verifyInclusion(i, size, leafHash(entries[i] as Buffer), proof, rootHash);
    length += proof.length;
  }
  const proofUs = ((now() - t) * 1000) / K;
  await storage.close();
  const avgLen = Math.round(length / K);
  const h = Buffer.alloc(32, 7);
  t = now();
  for (let k = 0; k < K; k++) for (let j = 0; j < avgLen; j++) createHash('sha256').update(h).digest();
  const baseUs = ((now() - t) * 1000) / K;
  return { proofUs, baseUs, length: avgLen };
}

function spawnServer(script: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolve({ child, url: m[1] as string });
    });
  });
}

/** Posts all entries with CLIENTS keep-alive connections; returns adds/s and per-add latencies. */
async function drive(url: string, entries: Buffer[]): Promise<{ rate: number; lat: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const { hostname, port } = new URL(url);
  const lat: number[] = [];
  let next = 0;
  const one = (body: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const t0 = now();
      const req = request({ agent, hostname, port, path: '/add', method: 'POST', headers: { 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`add answered ${res.statusCode}`));
          lat.push(now() - t0);
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const t = now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < entries.length) await one(entries[next++] as Buffer);
    }),
  );
  const rate = entries.length / ((now() - t) / 1000);
  agent.destroy();
  return { rate, lat };
}

const SERVE = new URL('../src/cli/commands/log-serve.js', import.meta.url).href;
const COMMAND = new URL('../src/cli/command.js', import.meta.url).href;
const LOG_CHILD = `
import { logServeCommand } from ${JSON.stringify(SERVE)};
import { parseInvocation } from ${JSON.stringify(COMMAND)};
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
process.exitCode = await logServeCommand.run(parseInvocation(logServeCommand, process.argv.slice(1), io));
`;
const PLAIN_CHILD = `
import { createServer } from 'node:http';
const s = createServer((req, res) => { const c = []; req.on('data', (d) => c.push(d)); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"index":0,"treeSize":1}\\n'); }); });
s.keepAliveTimeout = 5000;
s.listen(0, '127.0.0.1', () => console.log('plain at http://127.0.0.1:' + s.address().port));
`;

async function benchHttp(entries: Buffer[]): Promise<{ log: { rate: number; lat: number[] }; base: { rate: number; lat: number[] } }> {
  const plain = await spawnServer(PLAIN_CHILD, []);
  const base = await drive(plain.url, entries);
  plain.child.kill('SIGKILL');
  const dir = join(tmp, 'http-log');
  await initLogDir({ dir, origin: 'bench.example/http-log', openStorage: openSqliteLogDir });
  const srv = await spawnServer(LOG_CHILD, ['--port', '0', '--dir', dir, '--max-batch', String(BATCH), '--max-delay-ms', '5']);
  const log = await drive(srv.url, entries);
  srv.child.kill('SIGTERM');
  return { log, base };
}

async function main(): Promise<void> {
  console.log(`log benchmark: ${N} entries direct, ${HTTP_N} over HTTP with ${CLIENTS} clients, batches ≤ ${BATCH}`);
  const entries = Array.from({ length: Math.max(N, HTTP_N) }, (_, i) => entry(i));
  console.log(`entry size ${entries[0]?.length} bytes (2 subjects)`);
  const st = await benchStorage(entries.slice(0, N));
  const pr = await benchProofs(entries.slice(0, N));
  const http = await benchHttp(entries.slice(0, HTTP_N));
  const f = (x: number): string => Math.round(x).toLocaleString('en-US');
  console.log(
    table([
      ['figure', 'provenant', 'baseline', 'ratio', 'goal'],
      ['appends/s, SQLite direct (FULL sync)', f(st.log), `${f(st.base)} (plain INSERT loop)`, (st.log / st.base).toFixed(2), '≥ 10,000/s'],
      ['appends/s, HTTP POST /add', f(http.log.rate), `${f(http.base.rate)} (bare node:http)`, (http.log.rate / http.base.rate).toFixed(2), '≥ 10,000/s'],
      ['add → published checkpoint p50 ms', pct(http.log.lat, 50).toFixed(1), `${pct(http.base.lat, 50).toFixed(1)} (bare round trip)`, (pct(http.log.lat, 50) / pct(http.base.lat, 50)).toFixed(1), '≤ 1000 ms'],
      ['add → published checkpoint p99 ms', pct(http.log.lat, 99).toFixed(1), `${pct(http.base.lat, 99).toFixed(1)} (bare round trip)`, (pct(http.log.lat, 99) / pct(http.base.lat, 99)).toFixed(1), '≤ 1000 ms'],
      [`inclusion proof gen+verify µs (size ${N})`, pr.proofUs.toFixed(1), `${pr.baseUs.toFixed(1)} (${pr.length} × SHA-256 of 32 B)`, (pr.proofUs / pr.baseUs).toFixed(1), '< 1000 µs'],
    ]),
  );
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(tmp, { recursive: true, force: true }));
