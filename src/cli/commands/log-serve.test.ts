/**
 * `log init` / `log serve` end to end, including crash safety: kill -9 the server while batches
 * are being written, restart it on the same directory, and check that it serves one consistent
 * tree holding every entry whose add was acknowledged, at the acknowledged index.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { leafHash, sha256Hex } from '../../core/index.js';
import {
  decodeEntryBundle,
  encodeLogEntry,
  entriesPath,
  httpTileFetcher,
  openCheckpoint,
  parseVerifierKey,
  submitEntry,
  tileInclusionProof,
  tileTreeRoot,
  TILE_WIDTH,
  verifyInclusion,
  verifyReceiptOffline,
} from '../../tlog/index.js';
import { parseInvocation, type Io } from '../command.js';
import { logInitCommand } from './log-init.js';
import { openSqliteLogDir } from '../../store/index.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-logcli-'));
after(() => rmSync(root, { recursive: true, force: true }));

function entry(i: number): Buffer {
  const h = (s: string): string => sha256Hex(`${s}/${i}`);
  return encodeLogEntry({ envelope: h('e'), subjects: [h('s')], recordRoot: h('r'), vendor: h('v'), client: h('c') });
}

async function runInit(args: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  const io: Io = { stdout, stderr: new PassThrough(), env: { PROVENANT_HOME: join(root, 'home') }, cwd: root };
  const inv = parseInvocation(logInitCommand, args, io);
  assert.notEqual(inv, 'help');
  const code = await logInitCommand.run(inv as Exclude<typeof inv, 'help'>);
  return { code, out };
}

test('log init writes a private key, prints the verifier key and refuses to overwrite', async () => {
  const dir = join(root, 'init');
  const { code, out } = await runInit(['--origin', 'cli.example/log', '--dir', dir]);
  assert.equal(code, 0);
  const vkey = out.trim();
  assert.equal(parseVerifierKey(vkey).name, 'cli.example/log');
  assert.equal(statSync(join(dir, 'log.key')).mode & 0o777, 0o600);
  await assert.rejects(runInit(['--origin', 'cli.example/log', '--dir', dir]), { code: 'TLOG_LOG_EXISTS' });
  await assert.rejects(runInit(['--origin', 'has space', '--dir', join(root, 'bad')]), { code: 'TLOG_ENTRY_MALFORMED' });
  // Logging straight into the directory gives the same kind of receipt as the server.
  const r = await submitEntry(dir, entry(7), { openStorage: openSqliteLogDir });
  assert.equal(r.index, 0);
  const v = await verifyReceiptOffline({ receiptText: r.receipt, entryBytes: entry(7), logKey: vkey, stateDir: join(root, 'state') });
  assert.equal(v.treeSize, 1);
  assert.equal((await submitEntry(dir, entry(8), { openStorage: openSqliteLogDir })).index, 1);
  await assert.rejects(submitEntry(join(root, 'nolog'), entry(9), { openStorage: openSqliteLogDir }), { code: 'TLOG_LOG_NOT_FOUND' });
});

const SERVE = new URL('./log-serve.js', import.meta.url).href;
const COMMAND = new URL('../command.js', import.meta.url).href;
const CHILD = `
import { logServeCommand } from ${JSON.stringify(SERVE)};
import { parseInvocation } from ${JSON.stringify(COMMAND)};
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
process.exitCode = await logServeCommand.run(parseInvocation(logServeCommand, process.argv.slice(1), io));
`;

function serve(dir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, '--', '--port', '0', '--dir', dir, '--max-delay-ms', '10', '--max-batch', '64'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => reject(new Error(`log serve exited (${code}): ${err}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolve({ child, url: m[1] as string });
    });
  });
}

test('kill -9 during batches: the restarted log is consistent and keeps every acknowledged entry', async () => {
  const dir = join(root, 'crash');
  const { out } = await runInit(['--origin', 'crash.example/log', '--dir', dir]);
  const policy = { log: parseVerifierKey(out.trim()) };
  const first = await serve(dir);
  const acked = new Map<number, Buffer>();
  let next = 0;
  let killed = false;
  const client = async (): Promise<void> => {
    while (!killed) {
      const e = entry(next++);
      try {
        const res = await fetch(`${first.url}/add`, { method: 'POST', body: e });
        if (res.status === 200) acked.set(((await res.json()) as { index: number }).index, e);
        else await res.body?.cancel();
      } catch {
        return; // connection died with the server: this add was not acknowledged
      }
    }
  };
  const clients = Array.from({ length: 8 }, client);
  // Kill once a few batches are in, while clients keep adding.
  while (acked.size < 200) await new Promise((r) => setTimeout(r, 5));
  first.child.removeAllListeners('exit');
  first.child.kill('SIGKILL');
  // Clients keep adding until the dead server refuses them, so every client ends on an add that
  // was never acknowledged (whether it was in flight at the kill or sent just after).
  await Promise.all(clients);
  killed = true;
  assert.ok(next > acked.size, 'some adds were not acknowledged');

  const second = await serve(dir);
  try {
    const note = Buffer.from(await (await fetch(`${second.url}/checkpoint`)).arrayBuffer());
    const { checkpoint } = openCheckpoint(note, policy);
    const fetchTile = httpTileFetcher(second.url);
    assert.deepEqual(await tileTreeRoot(fetchTile, checkpoint.size), checkpoint.rootHash, 'tiles match the signed root');
    const maxAcked = Math.max(...acked.keys());
    assert.ok(checkpoint.size > maxAcked, `size ${checkpoint.size} holds acknowledged index ${maxAcked}`);
    const bundles = new Map<number, Buffer[]>();
    for (const [index, e] of acked) {
      const n = Math.floor(index / TILE_WIDTH);
      if (!bundles.has(n)) {
        const width = Math.min(TILE_WIDTH, checkpoint.size - n * TILE_WIDTH);
        const data = Buffer.from(await (await fetch(`${second.url}/${entriesPath(n, width)}`)).arrayBuffer());
        bundles.set(n, decodeEntryBundle(data, width));
      }
      assert.deepEqual(bundles.get(n)?.[index % TILE_WIDTH], e, `entry at acknowledged index ${index}`);
    }
    const [someIndex, someEntry] = [...acked][Math.floor(acked.size / 2)] as [number, Buffer];
    verifyInclusion(someIndex, checkpoint.size, leafHash(someEntry), await tileInclusionProof(fetchTile, someIndex, checkpoint.size), checkpoint.rootHash);
    // And the restarted log keeps appending after the recovered tree.
    const res = await fetch(`${second.url}/add`, { method: 'POST', body: entry(1_000_000) });
    assert.equal(((await res.json()) as { index: number }).index, checkpoint.size);
  } finally {
    second.child.removeAllListeners('exit');
    second.child.kill('SIGTERM');
  }
});
