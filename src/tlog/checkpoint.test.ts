import assert from 'node:assert/strict';
import { verify as edVerify, createPublicKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { sha256 } from '../core/index.js';
import {
  LogError,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  addSignatures,
  computeKeyId,
  cosignatureMessage,
  cosignatureTimestamp,
  createNoteSigner,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  type Checkpoint,
} from './index.js';
import { readSharedJson } from './testing.js';

function rejects(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LogError, `expected LogError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

const ORIGIN = 'log.example/provenant';
const logSigner = createNoteSigner(ORIGIN, SIG_TYPE_ED25519, sha256('log seed'));
const log = parseVerifierKey(logSigner.verifierKey);
const cp: Checkpoint = { origin: ORIGIN, size: 20852163, rootHash: sha256('root'), extensions: [] };
const signed = signCheckpoint(cp, [logSigner]);

const witnessSigner = (n: string, t = 1679315147): ReturnType<typeof createNoteSigner> =>
  createNoteSigner(`witness.example/${n}`, SIG_TYPE_COSIGNATURE_V1, sha256(`witness ${n}`), { now: () => t });
const [w1, w2, w3] = [witnessSigner('w1'), witnessSigner('w2'), witnessSigner('w3')];
const witnesses = [w1, w2, w3].map((w) => parseVerifierKey(w.verifierKey));

describe('checkpoint text', () => {
  it('formats the three mandatory lines and round-trips with extensions', () => {
    assert.equal(formatCheckpoint(cp), `${ORIGIN}\n20852163\n${sha256('root').toString('base64')}\n`);
    const withExt = { ...cp, extensions: ['ext one', 'ext two'] };
    assert.deepEqual(parseCheckpoint(formatCheckpoint(withExt)), withExt);
  });

  it('parses the sumdb tree note vector', () => {
    const v = (readSharedJson('vectors', 'tlog-vectors.json') as { sumdbTreeNote: { formattedTree: string; recordHash_b64: string } }).sumdbTreeNote;
    const parsed = parseCheckpoint(v.formattedTree);
    assert.equal(parsed.origin, 'go.sum database tree');
    assert.equal(parsed.size, 123456789012);
    assert.equal(parsed.rootHash.toString('base64'), v.recordHash_b64);
    assert.equal(formatCheckpoint(parsed), v.formattedTree);
  });

  const root = sha256('root').toString('base64');
  const bad: [string, string][] = [
    ['two lines', `${ORIGIN}\n5\n`],
    ['empty origin', `\n5\n${root}\n`],
    ['empty extension line', `${ORIGIN}\n5\n${root}\n\next\n`],
    ['leading zero size', `${ORIGIN}\n05\n${root}\n`],
    ['signed size', `${ORIGIN}\n+5\n${root}\n`],
    ['negative size', `${ORIGIN}\n-5\n${root}\n`],
    ['hex size', `${ORIGIN}\n0x5\n${root}\n`],
    ['size above 2^53', `${ORIGIN}\n18446744073709551615\n${root}\n`],
    ['size with spaces', `${ORIGIN}\n 5\n${root}\n`],
    ['root of 31 bytes', `${ORIGIN}\n5\n${sha256('r').subarray(1).toString('base64')}\n`],
    ['root in hex', `${ORIGIN}\n5\n${sha256('r').toString('hex')}\n`],
    ['root without padding', `${ORIGIN}\n5\n${root.replace(/=$/, '')}\n`],
    ['no final newline', `${ORIGIN}\n5\n${root}`],
  ];
  for (const [what, text] of bad) {
    it(`rejects: ${what}`, () => rejects(() => parseCheckpoint(text), 'TLOG_CHECKPOINT_MALFORMED'));
  }

  it('refuses to format an invalid checkpoint', () => {
    rejects(() => formatCheckpoint({ ...cp, origin: 'a\nb' }), 'TLOG_CHECKPOINT_MALFORMED');
    rejects(() => formatCheckpoint({ ...cp, rootHash: Buffer.alloc(31) }), 'TLOG_CHECKPOINT_MALFORMED');
    rejects(() => formatCheckpoint({ ...cp, size: -1 }), 'TLOG_RANGE');
    rejects(() => formatCheckpoint({ ...cp, extensions: [''] }), 'TLOG_CHECKPOINT_MALFORMED');
  });
});

describe('openCheckpoint', () => {
  it('accepts a checkpoint signed by the log key with the expected origin', () => {
    const v = openCheckpoint(signed, { log });
    assert.deepEqual(v.checkpoint, cp);
    assert.deepEqual(v.cosignatures, []);
  });

  it('rejects another log key, another origin and a tampered tree size', () => {
    const other = createNoteSigner(ORIGIN, SIG_TYPE_ED25519, sha256('other log seed'));
    rejects(() => openCheckpoint(signCheckpoint(cp, [other]), { log }), 'TLOG_NOTE_UNVERIFIED');
    const elsewhere = createNoteSigner('log.example/other', SIG_TYPE_ED25519, sha256('log seed'));
    rejects(() => openCheckpoint(signCheckpoint({ ...cp, origin: 'log.example/other' }, [elsewhere]), { log: parseVerifierKey(elsewhere.verifierKey), origin: ORIGIN }), 'TLOG_CHECKPOINT_ORIGIN');
    rejects(() => openCheckpoint(signCheckpoint({ ...cp, origin: 'log.example/other' }, [logSigner]), { log }), 'TLOG_CHECKPOINT_ORIGIN');
    rejects(() => openCheckpoint(signed.replace('20852163', '20852164'), { log }), 'TLOG_NOTE_BAD_SIGNATURE');
    rejects(() => openCheckpoint(signed.slice(0, 40), { log }), 'TLOG_NOTE_MALFORMED');
  });

  it('rejects a checkpoint signed only by a witness', () => {
    const onlyWitness = signCheckpoint(cp, [w1]);
    rejects(() => openCheckpoint(onlyWitness, { log, witnesses, quorum: 1 }), 'TLOG_NOTE_UNVERIFIED');
  });

  it('rejects a note signed by the log key whose text is not a checkpoint', () => {
    rejects(() => openCheckpoint(signNote(`${ORIGIN}\nnot a size\n`, [logSigner]), { log }), 'TLOG_CHECKPOINT_MALFORMED');
  });
});

describe('tlog-cosignature v1', () => {
  it('uses key ids with type byte 0x04 and the spec message layout', () => {
    const pub = Buffer.from(w1.verifierKey.split('+').slice(2).join('+'), 'base64').subarray(1);
    assert.equal(w1.keyId, computeKeyId(w1.name, 0x04, pub));
    assert.notEqual(w1.keyId, computeKeyId(w1.name, 0x01, pub));
    const text = formatCheckpoint(cp);
    const msg = cosignatureMessage(text, 1679315147).toString('utf8');
    assert.equal(msg, `cosignature/v1\ntime 1679315147\n${ORIGIN}\n20852163\n${cp.rootHash.toString('base64')}\n`);
    // Independent check: the 72-byte signature is an 8-byte big-endian time then Ed25519 over msg.
    const sig = w1.sign(Buffer.from(text));
    assert.equal(sig.length, 72);
    assert.equal(sig.readBigUInt64BE(0), 1679315147n);
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]), format: 'der', type: 'spki' });
    assert.ok(edVerify(null, Buffer.from(msg), key, sig.subarray(8)));
  });

  it('reads the timestamp of the spec example cosignature', () => {
    // c2sp.org/tlog-cosignature example line (its stray "\n" removed); its text shows "time 1679315147".
    const b64 = 'jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';
    assert.equal(cosignatureTimestamp(Buffer.from(b64, 'base64').subarray(4)), 1679315147);
    assert.equal(cosignatureTimestamp(Buffer.alloc(64)), undefined);
  });

  it('meets a 2-of-3 named-witness policy and reports who cosigned when', () => {
    const cosigned = addSignatures(addSignatures(signed, [w1]), [witnessSigner('w2', 1700000000)]);
    const v = openCheckpoint(cosigned, { log, witnesses, quorum: 2 });
    assert.deepEqual(
      v.cosignatures.map((c) => [c.name, c.timestamp]),
      [['witness.example/w1', 1679315147], ['witness.example/w2', 1700000000]],
    );
  });

  it('fails the quorum with too few witnesses, repeated lines, or unknown witnesses', () => {
    const one = addSignatures(signed, [w1]);
    rejects(() => openCheckpoint(one, { log, witnesses, quorum: 2 }), 'TLOG_COSIGNATURE_QUORUM');
    const w1Line = one.split('\n').at(-2) as string;
    rejects(() => openCheckpoint(`${one}${w1Line}\n`, { log, witnesses, quorum: 2 }), 'TLOG_COSIGNATURE_QUORUM');
    const stranger = createNoteSigner('witness.example/w2', SIG_TYPE_COSIGNATURE_V1, sha256('stranger'), { now: () => 1 });
    rejects(() => openCheckpoint(addSignatures(one, [stranger]), { log, witnesses, quorum: 2 }), 'TLOG_COSIGNATURE_QUORUM');
    // Two keys under one witness name count as one witness.
    const w1b = createNoteSigner('witness.example/w1', SIG_TYPE_COSIGNATURE_V1, sha256('w1 second key'), { now: () => 5 });
    const both = addSignatures(one, [w1b]);
    rejects(() => openCheckpoint(both, { log, witnesses: [...witnesses, parseVerifierKey(w1b.verifierKey)], quorum: 2 }), 'TLOG_COSIGNATURE_QUORUM');
  });

  it('rejects a cosignature whose timestamp was changed, and one made over another checkpoint', () => {
    const one = addSignatures(signed, [w1]);
    const lines = one.split('\n');
    const raw = Buffer.from((lines.at(-2) as string).split(' ')[2] as string, 'base64');
    raw.writeBigUInt64BE(1679315148n, 4);
    lines[lines.length - 2] = `\u2014 ${w1.name} ${raw.toString('base64')}`;
    rejects(() => openCheckpoint(lines.join('\n'), { log, witnesses, quorum: 1 }), 'TLOG_NOTE_BAD_SIGNATURE');
    const otherCp = addSignatures(signCheckpoint({ ...cp, size: 1 }, [logSigner]), [w2]);
    const moved = `${one}${otherCp.split('\n').at(-2) as string}\n`;
    rejects(() => openCheckpoint(moved, { log, witnesses, quorum: 1 }), 'TLOG_NOTE_BAD_SIGNATURE');
  });

  it('a plain Ed25519 signature by the witness key is not a cosignature', () => {
    const plain = createNoteSigner(w1.name, SIG_TYPE_ED25519, sha256('witness w1'));
    rejects(() => openCheckpoint(addSignatures(signed, [plain]), { log, witnesses, quorum: 1 }), 'TLOG_COSIGNATURE_QUORUM');
    assert.equal(parseNote(addSignatures(signed, [plain])).signatures.length, 2);
  });

  it('refuses a quorum the trusted witnesses cannot meet', () => {
    rejects(() => openCheckpoint(signed, { log, witnesses, quorum: 4 }), 'TLOG_RANGE');
  });
});
