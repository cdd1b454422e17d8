/** The log server in-process on 127.0.0.1:0: sequencing, tiles, mirrors, receipts and hostile input. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { leafHash } from '../../core/index.js';
import { openCheckpoint } from '../checkpoint.js';
import { generateNoteKey, parseSignerKey, parseVerifierKey } from '../keys.js';
import { verifyInclusion } from '../merkle.js';
import { decodeEntryBundle, decodeHashTile, entriesPath, tileLevelsForSize, tilePath, TILE_WIDTH } from '../tiles.js';
import { submitEntry } from './client.js';
import { testEntry } from './testing.js';
import type { RunningServer } from './http.js';
import { createMemoryLogStorage } from './memory-storage.js';
import { createLogSequencer, type LogSequencer } from './sequencer.js';
import { startLogServer } from './server.js';
import { dirTileFetcher, httpTileFetcher, tileInclusionProof, tileTreeRoot } from './tile-reader.js';
import { verifyReceiptOffline } from './verify.js';

const ORIGIN = 'test.example/log';
const keys = generateNoteKey(ORIGIN);
const signer = parseSignerKey(keys.signerKey);
const logPolicy = { log: parseVerifierKey(keys.verifierKey) };


async function get(url: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

async function post(url: string, body: Uint8Array | string): Promise<{ status: number; json: { index?: number; treeSize?: number; error?: { code: string } } }> {
  const res = await fetch(url, { method: 'POST', body });
  return { status: res.status, json: (await res.json()) as { index?: number; error?: { code: string } } };
}

describe('log server', () => {
  let server: RunningServer;
  let seq: LogSequencer;
  const added: { index: number; entry: Buffer }[] = [];
  const stateDir = mkdtempSync(join(tmpdir(), 'provenant-server-'));

  before(async () => {
    const storage = createMemoryLogStorage();
    seq = await createLogSequencer({ storage, signer, maxBatch: 64, maxDelayMs: 5 });
    server = await startLogServer({ sequencer: seq, storage, port: 0 });
    // 300 entries from 12 concurrent clients (keep-alive connections): several batches, > 1 full tile.
    const results: { index: number; entry: Buffer; treeSize: number }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < 300) {
          const i = next++;
          const r = await post(`${server.url}/add`, testEntry(i));
          assert.equal(r.status, 200);
          results.push({ index: r.json.index as number, entry: testEntry(i), treeSize: r.json.treeSize as number });
        }
      }),
    );
    for (const r of results) {
      assert.ok(r.treeSize > r.index, 'the reported checkpoint contains the entry');
      added.push(r);
    }
  });
  after(async () => {
    await server.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('every add got its own index and the signed checkpoint covers them all', async () => {
    assert.deepEqual(added.map((a) => a.index).sort((a, b) => a - b), Array.from({ length: 300 }, (_, i) => i));
    const cp = await get(`${server.url}/checkpoint`);
    assert.equal(cp.status, 200);
    assert.equal(cp.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.match(cp.headers.get('cache-control') ?? '', /no-cache/);
    const v = openCheckpoint(cp.body, logPolicy);
    assert.equal(v.checkpoint.size, 300);
  });

  test('tiles rebuild the checkpoint root and prove each entry at its returned index', async () => {
    const v = openCheckpoint(seq.checkpoint().note, logPolicy);
    const fetchTile = httpTileFetcher(server.url);
    assert.deepEqual(await tileTreeRoot(fetchTile, 300), v.checkpoint.rootHash);
    for (const a of [added[0], added[137], added[299]]) {
      const { index, entry } = a as { index: number; entry: Buffer };
      const proof = await tileInclusionProof(fetchTile, index, 300);
      verifyInclusion(index, 300, leafHash(entry), proof, v.checkpoint.rootHash);
    }
  });

  test('a static copy of the tile tree is a complete read-only mirror', async () => {
    const mirror = mkdtempSync(join(tmpdir(), 'provenant-mirror-'));
    try {
      const paths: string[] = [];
      for (const l of tileLevelsForSize(300)) {
        for (let n = 0; n < l.fullTiles; n++) paths.push(tilePath({ level: l.level, index: n, width: TILE_WIDTH }));
        if (l.partialWidth > 0) paths.push(tilePath({ level: l.level, index: l.fullTiles, width: l.partialWidth }));
      }
      paths.push(entriesPath(0), entriesPath(1, 44));
      for (const p of paths) {
        const r = await get(`${server.url}/${p}`);
        assert.equal(r.status, 200, p);
        assert.equal(r.headers.get('content-type'), 'application/octet-stream');
        const file = join(mirror, ...p.split('/'));
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, r.body);
      }
      const cp = await get(`${server.url}/checkpoint`);
      writeFileSync(join(mirror, 'checkpoint'), cp.body);
      // The mirror alone: verify its checkpoint, rebuild the root, check every entry against the leaves.
      const v = openCheckpoint(cp.body, logPolicy);
      const fetchTile = dirTileFetcher(mirror);
      assert.deepEqual(await tileTreeRoot(fetchTile, v.checkpoint.size), v.checkpoint.rootHash);
      const { readFileSync } = await import('node:fs');
      const leaves = [
        ...decodeHashTile(readFileSync(join(mirror, 'tile/0/000'))),
        ...decodeHashTile(readFileSync(join(mirror, 'tile/0/001.p/44')), 44),
      ];
      const entries = [...decodeEntryBundle(readFileSync(join(mirror, 'tile/entries/000'))), ...decodeEntryBundle(readFileSync(join(mirror, 'tile/entries/001.p/44')), 44)];
      assert.equal(entries.length, 300);
      entries.forEach((e, i) => assert.deepEqual(leafHash(e), leaves[i], `entry ${i}`));
      const proof = await tileInclusionProof(fetchTile, 299, 300);
      verifyInclusion(299, 300, leafHash(entries[299] as Buffer), proof, v.checkpoint.rootHash);
    } finally {
      rmSync(mirror, { recursive: true, force: true });
    }
  });

  test('full tiles are cached as immutable, partial ones briefly, missing ones are 404', async () => {
    const full = await get(`${server.url}/tile/0/000`);
    assert.equal(full.body.length, 256 * 32);
    assert.match(full.headers.get('cache-control') ?? '', /immutable/);
    const partial = await get(`${server.url}/tile/0/001.p/44`);
    assert.equal(partial.body.length, 44 * 32);
    assert.doesNotMatch(partial.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await get(`${server.url}/tile/1/000.p/1`)).body.length, 32);
    for (const p of ['tile/0/001', 'tile/0/001.p/45', 'tile/1/000', 'tile/entries/002', 'tile/0/01', 'tile/0/x000/001', 'tile/0/000.p/0', 'tile/64/000', 'nope']) {
      const r = await get(`${server.url}/${p}`);
      assert.equal(r.status, 404, p);
      assert.equal((JSON.parse(r.body.toString()) as { error: { code: string } }).error.code, 'TLOG_NOT_FOUND');
    }
  });

  test('malformed, name-bearing and oversized bodies are refused with coded 4xx errors', async () => {
    const cases: [Uint8Array | string, number, string][] = [
      ['not json', 400, 'TLOG_ENTRY_MALFORMED'],
      ['{"v":1,"vendor":"Acme Data Inc"}', 400, 'TLOG_ENTRY_MALFORMED'],
      [Buffer.from([0xff, 0xfe, 0x00]), 400, 'TLOG_ENTRY_MALFORMED'],
      ['', 400, 'TLOG_ENTRY_MALFORMED'],
      [Buffer.alloc(70_000, 0x61), 413, 'TLOG_ENTRY_TOO_LARGE'],
    ];
    for (const [body, status, code] of cases) {
      const r = await post(`${server.url}/add`, body);
      assert.equal(r.status, status);
      assert.equal(r.json.error?.code, code);
    }
    const wrong = await get(`${server.url}/add`);
    assert.equal(wrong.status, 405);
    const put = await fetch(`${server.url}/checkpoint`, { method: 'PUT', body: 'x' });
    assert.equal(put.status, 405);
    await put.body?.cancel();
    assert.equal(openCheckpoint(seq.checkpoint().note, logPolicy).checkpoint.size, 300, 'nothing was logged');
  });

  test('an oversized chunked body without content-length is cut off, and the server stays up', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/add`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(8192, 0x61));
      req.end();
    });
    assert.equal(status, 413);
    // Garbage that is not HTTP at all.
    await new Promise<void>((resolve) => {
      const sock = connect(server.port, '127.0.0.1', () => sock.end('\x00\x01 GARBAGE \r\n\r\n'));
      sock.on('data', () => undefined);
      sock.on('close', () => resolve());
      sock.on('error', () => resolve());
    });
    assert.equal((await get(`${server.url}/checkpoint`)).status, 200);
  });

  test('submitEntry returns a receipt that verifies offline, and only for its own entry and key', async () => {
    const entry = testEntry(1000);
    const r = await submitEntry(server.url, entry);
    assert.equal(r.index, 300);
    const ok = await verifyReceiptOffline({ receiptText: r.receipt, entryBytes: entry, logKey: keys.verifierKey, stateDir });
    assert.equal(ok.index, 300);
    assert.equal(ok.origin, ORIGIN);
    assert.equal(ok.consistency, 'first-use');
    await assert.rejects(verifyReceiptOffline({ receiptText: r.receipt, entryBytes: testEntry(1001), logKey: keys.verifierKey, stateDir: false }), {
      code: 'TLOG_RECEIPT_ENTRY_MISMATCH',
      kind: 'verification',
    });
    const other = generateNoteKey(ORIGIN).verifierKey;
    await assert.rejects(verifyReceiptOffline({ receiptText: r.receipt, entryBytes: entry, logKey: other, stateDir: false }), {
      code: 'TLOG_RECEIPT_WRONG_KEY',
      kind: 'verification',
    });
    await assert.rejects(verifyReceiptOffline({ receiptText: r.receipt.slice(0, 40), entryBytes: entry, logKey: keys.verifierKey, stateDir: false }), {
      code: 'TLOG_RECEIPT_MALFORMED',
    });
    await assert.rejects(submitEntry(server.url, Buffer.from('{"name":"Lab One"}')), { code: 'TLOG_REJECTED' });
  });
});

describe('sequencer', () => {
  test('batches are bounded by size, and a lone entry is published within the delay', async () => {
    const storage = createMemoryLogStorage();
    const sizes: number[] = [];
    const spy = { ...storage, appendBatch: (b: Parameters<typeof storage.appendBatch>[0]) => (sizes.push(b.entries.length), storage.appendBatch(b)) };
    const seq = await createLogSequencer({ storage: spy, signer, maxBatch: 100, maxDelayMs: 20 });
    await Promise.all(Array.from({ length: 250 }, (_, i) => seq.add(testEntry(i))));
    assert.ok(sizes.every((n) => n <= 100), `batch sizes ${sizes.join(',')}`);
    assert.equal(sizes.reduce((a, b) => a + b, 0), 250 + 0);
    const t0 = Date.now();
    const r = await seq.add(testEntry(999));
    assert.equal(r.index, 250);
    assert.ok(Date.now() - t0 < 1000, 'published well within a second');
    await seq.close();
    await assert.rejects(seq.add(testEntry(1)), { code: 'TLOG_CLOSED' });
  });

  test('a reopened sequencer continues the same tree; a store of another log is refused', async () => {
    const storage = createMemoryLogStorage();
    const a = await createLogSequencer({ storage, signer, maxDelayMs: 0 });
    await Promise.all([a.add(testEntry(1)), a.add(testEntry(2))]);
    const b = await createLogSequencer({ storage, signer, maxDelayMs: 0 });
    assert.equal((await b.add(testEntry(3))).index, 2);
    const otherSigner = parseSignerKey(generateNoteKey('other.example/log').signerKey);
    await assert.rejects(createLogSequencer({ storage, signer: otherSigner }), { code: 'TLOG_STORE_CORRUPT' });
  });

  test('a store failure rejects the whole batch and leaves the tree unchanged', async () => {
    const storage = createMemoryLogStorage();
    let fail = true;
    const flaky = { ...storage, appendBatch: (b: Parameters<typeof storage.appendBatch>[0]) => (fail && b.entries.length > 0 ? Promise.reject(new Error('disk full')) : storage.appendBatch(b)) };
    const seq = await createLogSequencer({ storage: flaky, signer, maxDelayMs: 0 });
    const results = await Promise.allSettled([seq.add(testEntry(1)), seq.add(testEntry(2))]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(seq.checkpoint().size, 0);
    fail = false;
    assert.equal((await seq.add(testEntry(3))).index, 0);
  });
});
