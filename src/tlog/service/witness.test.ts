/** C2SP tlog-witness: conflicts, inconsistent and forged checkpoints, cosigning, quorum. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openCheckpoint } from '../checkpoint.js';
import { generateNoteKey, parseSignerKey, parseVerifierKey, SIG_TYPE_COSIGNATURE_V1 } from '../keys.js';
import { addSignatures } from '../note.js';
import { createMemoryLogStorage } from './memory-storage.js';
import { storedConsistencyProof } from './nodes.js';
import { createLogSequencer } from './sequencer.js';
import { testEntry } from './testing.js';
import type { LogStorage } from './storage.js';
import { createWitness, requestCosignatures, startWitnessServer, TLOG_SIZE_CONTENT_TYPE, type Witness } from './witness.js';

const ORIGIN = 'witnessed.example/log';
const logKeys = generateNoteKey(ORIGIN);
const signer = parseSignerKey(logKeys.signerKey);
const logVerifier = parseVerifierKey(logKeys.verifierKey);

/** A log of `n` entries (offset changes the entries: same key, another history = a fork). */
async function makeLog(n: number, offset = 0): Promise<{ storage: LogStorage; note: () => string; grow: (k: number) => Promise<void> }> {
  const storage = createMemoryLogStorage();
  const seq = await createLogSequencer({ storage, signer, maxDelayMs: 0 });
  let next = 0;
  const grow = async (k: number): Promise<void> => {
    await Promise.all(Array.from({ length: k }, () => seq.add(testEntry(offset + next++))));
  };
  await grow(n);
  return { storage, note: () => seq.checkpoint().note, grow };
}

function newWitness(name = 'witness.example/w1'): { witness: Witness; vkey: string } {
  const k = generateNoteKey(name, SIG_TYPE_COSIGNATURE_V1);
  return { witness: createWitness({ storage: createMemoryLogStorage(), signer: parseSignerKey(k.signerKey), logs: [logVerifier] }), vkey: k.verifierKey };
}

const body = (old: number, proof: readonly Buffer[], note: string): Buffer => Buffer.from([`old ${old}`, ...proof.map((h) => h.toString('base64')), '', ''].join('\n') + note);

describe('witness', () => {
  test('cosigns a first checkpoint with a timestamped cosignature that a verifier accepts', async () => {
    const log = await makeLog(5);
    const { witness, vkey } = newWitness();
    const r = await witness.addCheckpoint(body(0, [], log.note()));
    assert.equal(r.status, 200);
    assert.match(r.body, /^\u2014 witness\.example\/w1 [A-Za-z0-9+/=]+\n$/);
    const v = openCheckpoint(log.note() + r.body, { log: logVerifier, witnesses: [parseVerifierKey(vkey)], quorum: 1 });
    assert.equal(v.cosignatures.length, 1);
    assert.ok(Math.abs((v.cosignatures[0]?.timestamp ?? 0) - Date.now() / 1000) < 60);
  });

  test('a stale old size gets 409 with the cosigned size as text/x.tlog.size', async () => {
    const log = await makeLog(5);
    const { witness } = newWitness();
    assert.equal((await witness.addCheckpoint(body(0, [], log.note()))).status, 200);
    await log.grow(3);
    const stale = await witness.addCheckpoint(body(0, [], log.note()));
    assert.deepEqual([stale.status, stale.contentType, stale.body], [409, TLOG_SIZE_CONTENT_TYPE, '5\n']);
    const ok = await witness.addCheckpoint(body(5, await storedConsistencyProof(log.storage, 5, 8), log.note()));
    assert.equal(ok.status, 200);
    const rolledBack = await witness.addCheckpoint(body(5, await storedConsistencyProof(log.storage, 5, 8), log.note()));
    assert.deepEqual([rolledBack.status, rolledBack.body], [409, '8\n'], 'it now holds 8, never goes back to 5');
  });

  test('refuses a checkpoint inconsistent with what it cosigned (forked log, same key)', async () => {
    const honest = await makeLog(6);
    const fork = await makeLog(9, 1000);
    const { witness } = newWitness();
    assert.equal((await witness.addCheckpoint(body(0, [], honest.note()))).status, 200);
    // The fork's own proof from 6 to 9 is internally valid but does not start at the honest root.
    const r = await witness.addCheckpoint(body(6, await storedConsistencyProof(fork.storage, 6, 9), fork.note()));
    assert.equal(r.status, 422);
    assert.equal(r.code, 'TLOG_WITNESS_INCONSISTENT');
    const sameSize = await makeLog(6, 2000);
    const split = await witness.addCheckpoint(body(6, [], sameSize.note()));
    assert.equal(split.status, 409, 'same size, other root');
  });

  test('unknown logs, bad signatures and malformed bodies are refused with the spec statuses', async () => {
    const log = await makeLog(2);
    const { witness } = newWitness();
    const strangerKey = generateNoteKey('stranger.example/log');
    const strangerLog = createMemoryLogStorage();
    const stranger = await createLogSequencer({ storage: strangerLog, signer: parseSignerKey(strangerKey.signerKey), maxDelayMs: 0 });
    await stranger.add(testEntry(1));
    assert.equal((await witness.addCheckpoint(body(0, [], stranger.checkpoint().note))).status, 404);
    // Right origin, signed by an impostor key of the same name.
    const impostor = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
    const text = log.note().slice(0, log.note().indexOf('\n\n') + 1);
    const forged = addSignatures(`${text}\n\u2014 ${ORIGIN} ${Buffer.alloc(68, 1).toString('base64')}\n`, [impostor]);
    assert.equal((await witness.addCheckpoint(body(0, [], forged))).status, 403);
    const tampered = log.note().replace(/\n2\n/, '\n3\n');
    assert.equal((await witness.addCheckpoint(body(0, [], tampered))).status, 403);
    for (const bad of [
      Buffer.from('old 01\n\n' + log.note()),
      Buffer.from('new 0\n\n' + log.note()),
      Buffer.from('old 0\nnot-base64\n\n' + log.note()),
      Buffer.from('old 0\n' + log.note()),
      Buffer.from('old 0\n\nnot a checkpoint\n'),
      Buffer.from([0xff, 0x0a, 0x0a]),
      body(3, [], log.note()),
      body(0, [Buffer.alloc(32)], log.note()),
      Buffer.from(`old 0\n${'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'.repeat(64)}\n${log.note()}`),
    ]) {
      const r = await witness.addCheckpoint(bad);
      assert.equal(r.status, 400, bad.toString().slice(0, 40));
      assert.equal(r.code, 'TLOG_WITNESS_BAD_REQUEST');
    }
  });

  test('two racing requests from the same old size: exactly one wins', async () => {
    const log = await makeLog(4);
    const { witness } = newWitness();
    await witness.addCheckpoint(body(0, [], log.note()));
    const n4 = log.note();
    await log.grow(2);
    const n6 = log.note();
    const p6 = await storedConsistencyProof(log.storage, 4, 6);
    await log.grow(2);
    const n8 = log.note();
    const p8 = await storedConsistencyProof(log.storage, 4, 8);
    const rs = await Promise.all([witness.addCheckpoint(body(4, p6, n6)), witness.addCheckpoint(body(4, p8, n8))]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409]);
    assert.ok(n4.length > 0);
  });

  test('the log collects cosignatures over HTTP and a verifier can require a quorum of named witnesses', async () => {
    const log = await makeLog(3);
    const w1 = newWitness('witness.example/w1');
    const w2 = newWitness('witness.example/w2');
    const s1 = await startWitnessServer(w1.witness, { port: 0 });
    const s2 = await startWitnessServer(w2.witness, { port: 0 });
    try {
      const endpoints = [
        { url: s1.url, verifier: parseVerifierKey(w1.vkey) },
        { url: s2.url, verifier: parseVerifierKey(w2.vkey) },
      ];
      const known = new Map<string, number>();
      const prove = (a: number, b: number): Promise<Buffer[]> => storedConsistencyProof(log.storage, a, b);
      const first = await requestCosignatures(log.note(), endpoints, prove, known);
      assert.deepEqual(first.failures, []);
      await log.grow(4);
      // A fresh client (known sizes forgotten) learns them through 409 and still gets both cosignatures.
      const second = await requestCosignatures(log.note(), endpoints, prove, new Map());
      assert.deepEqual(second.failures, []);
      const witnesses = endpoints.map((e) => e.verifier);
      assert.equal(openCheckpoint(second.note, { log: logVerifier, witnesses, quorum: 2 }).cosignatures.length, 2);
      const onlyOne = await requestCosignatures(log.note(), [endpoints[0] as (typeof endpoints)[number]], prove, new Map());
      assert.throws(() => openCheckpoint(onlyOne.note, { log: logVerifier, witnesses, quorum: 2 }), { code: 'TLOG_COSIGNATURE_QUORUM', kind: 'verification' });
      const down = await requestCosignatures(log.note(), [{ url: 'http://127.0.0.1:1', verifier: witnesses[0] as (typeof witnesses)[number] }], prove, new Map(), { timeoutMs: 500 });
      assert.equal(down.failures.length, 1);
      assert.equal(down.note, log.note(), 'an unreachable witness changes nothing');
      const http404 = await fetch(`${s1.url}/other`);
      assert.equal(http404.status, 404);
      await http404.body?.cancel();
    } finally {
      await s1.close();
      await s2.close();
    }
  });
});
