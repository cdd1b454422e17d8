import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '../core/index.js';
import {
  LogError,
  SIG_TYPE_ED25519,
  addSignatures,
  computeKeyId,
  createNoteSigner,
  formatKeyId,
  formatNote,
  generateNoteKey,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from './index.js';
import { readSharedJson } from './testing.js';

interface NoteVector { source: string; vkey: string; skey?: string; note: string }
const V = readSharedJson('vectors', 'tlog-vectors.json') as { signedNotes: { vectors: NoteVector[] } };
const vectors = V.signedNotes.vectors;

function rejects(fn: () => unknown, code: string, reason?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LogError, `expected LogError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (reason !== undefined) assert.equal(e.details?.['reason'], reason, e.message);
    return true;
  });
}

const alice = createNoteSigner('example.com/alice', SIG_TYPE_ED25519, sha256('alice seed'));
const bob = createNoteSigner('example.com/bob', SIG_TYPE_ED25519, sha256('bob seed'));
const aliceV = parseVerifierKey(alice.verifierKey);
const bobV = parseVerifierKey(bob.verifierKey);
const TEXT = 'hello\n\nworld\n';

describe('signed-note vectors', () => {
  for (const v of vectors) {
    it(`verifies ${v.source}`, () => {
      const verifier = parseVerifierKey(v.vkey);
      const opened = openNote(v.note, [verifier]);
      assert.equal(opened.verified.length, 1);
      assert.equal(opened.verified[0]?.name, verifier.name);
      // The key id written in the vkey is SHA-256(name || 0x0A || 0x01 || key)[:4].
      const raw = Buffer.from(v.vkey.split('+').slice(2).join('+'), 'base64');
      assert.equal(formatKeyId(computeKeyId(verifier.name, 0x01, raw.subarray(1))), v.vkey.split('+')[1]);
      // The same bytes as Uint8Array verify too.
      openNote(Buffer.from(v.note, 'utf8'), [verifier]);
    });
    it(`rejects ${v.source} with its text altered by one character`, () => {
      const tampered = v.note.replace(/\./, ',');
      assert.notEqual(tampered, v.note);
      rejects(() => openNote(tampered, [parseVerifierKey(v.vkey)]), 'TLOG_NOTE_BAD_SIGNATURE');
    });
  }

  it('the signer key vector reproduces the published signature byte for byte', () => {
    const v = vectors.find((x) => x.skey !== undefined) as NoteVector;
    const signer = parseSignerKey(v.skey as string);
    assert.equal(signer.verifierKey, v.vkey);
    const text = parseNote(v.note).text;
    assert.equal(signNote(text, [signer]), v.note);
  });
});

describe('openNote trust rules', () => {
  const note = signNote(TEXT, [alice, bob]);

  it('verifies with any one known key and reports the others as unverified', () => {
    const o = openNote(note, [aliceV]);
    assert.equal(o.text, TEXT);
    assert.deepEqual(o.verified.map((s) => s.name), ['example.com/alice']);
    assert.deepEqual(o.unverified.map((s) => s.name), ['example.com/bob']);
  });

  it('rejects a note with no signature by a trusted key', () => {
    const carol = parseVerifierKey(generateNoteKey('example.com/carol').verifierKey);
    rejects(() => openNote(note, [carol]), 'TLOG_NOTE_UNVERIFIED');
    rejects(() => openNote(note, []), 'TLOG_NOTE_UNVERIFIED');
  });

  it('ignores a signature that shares only the name, or only the key id, with a known key', () => {
    const impostor = createNoteSigner('example.com/alice', SIG_TYPE_ED25519, sha256('other seed'));
    const forged = signNote(TEXT, [impostor]);
    rejects(() => openNote(forged, [aliceV]), 'TLOG_NOTE_UNVERIFIED');
    // Same key id under another name: rename the line, keep the bytes.
    const renamed = forged.replace('\u2014 example.com/alice ', '\u2014 example.com/mallory ');
    const withAlice = addSignatures(renamed, [alice]);
    const o = openNote(withAlice, [aliceV]);
    assert.deepEqual(o.unverified.map((s) => s.name), ['example.com/mallory']);
  });

  it('rejects a bad signature from a known key even when another known key verifies', () => {
    const lines = note.split('\n');
    const bobLine = lines.findIndex((l) => l.startsWith('\u2014 example.com/bob '));
    const sig = Buffer.from((lines[bobLine] as string).split(' ')[2] as string, 'base64');
    sig[10] = (sig[10] as number) ^ 1;
    lines[bobLine] = `\u2014 example.com/bob ${sig.toString('base64')}`;
    rejects(() => openNote(lines.join('\n'), [aliceV, bobV]), 'TLOG_NOTE_BAD_SIGNATURE');
  });

  it('counts a repeated signature once, and rejects a repeat that does not verify', () => {
    const sigLine = note.split('\n').find((l) => l.startsWith('\u2014 example.com/alice ')) as string;
    const twice = `${note}${sigLine}\n`;
    assert.equal(openNote(twice, [aliceV]).verified.length, 1);
    const other = signNote('another text\n', [alice]).split('\n').at(-2) as string;
    rejects(() => openNote(`${note}${other}\n`, [aliceV]), 'TLOG_NOTE_BAD_SIGNATURE');
  });

  it('refuses two trusted keys with the same name and key id', () => {
    rejects(() => openNote(note, [aliceV, parseVerifierKey(alice.verifierKey)]), 'TLOG_KEY_MALFORMED', 'duplicate-key');
  });

  it('addSignatures replaces an earlier signature by the same key', () => {
    const again = addSignatures(note, [alice]);
    assert.equal(again.split('example.com/alice').length - 1, 1);
    assert.equal(openNote(again, [aliceV, bobV]).verified.length, 2);
  });
});

describe('malformed notes', () => {
  const good = signNote(TEXT, [alice]);
  const sigLine = good.split('\n').at(-2) as string;
  const cases: [string, string | Uint8Array, string][] = [
    ['no blank line', `hello\n${sigLine}\n`, 'no-blank-line'],
    ['truncated (no final newline)', good.slice(0, -1), 'no-final-newline'],
    ['truncated mid-signature', good.slice(0, -10), 'no-final-newline'],
    ['no signature lines', `${TEXT}\n`, 'no-signatures'],
    ['bad base64', `${TEXT}\n\u2014 example.com/alice ***notbase64***\n`, 'bad-base64'],
    ['non-canonical base64 padding bits', `${TEXT}\n\u2014 example.com/alice AAAAAAB=\n`, 'bad-base64'],
    ['signature shorter than a key id', `${TEXT}\n\u2014 example.com/alice AAAA\n`, 'signature-too-short'],
    ['hyphen instead of em dash', `${TEXT}\n- example.com/alice ${sigLine.split(' ')[2]}\n`, 'bad-signature-line'],
    ['no space in signature line', `${TEXT}\n\u2014 example.com/alice\n`, 'bad-signature-line'],
    ["'+' in key name", `${TEXT}\n\u2014 a+b ${sigLine.split(' ')[2]}\n`, 'bad-key-name'],
    ['carriage return', good.replace('hello\n', 'hello\r\n'), 'control-char'],
    ['tab', good.replace('hello', 'hel\tlo'), 'control-char'],
    ['NUL', good.replace('hello', 'hel\0lo'), 'control-char'],
    ['lone surrogate', good.replace('hello', 'hel\ud800lo'), 'not-utf8'],
    ['invalid UTF-8 bytes', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good)]), 'not-utf8'],
    ['overlong UTF-8', Buffer.concat([Buffer.from([0xc0, 0xaf]), Buffer.from(good)]), 'not-utf8'],
    ['101 signatures', `${TEXT}\n${`${sigLine}\n`.repeat(101)}`, 'too-many-signatures'],
  ];
  for (const [name, input, reason] of cases) {
    it(`rejects: ${name}`, () => {
      rejects(() => parseNote(input), 'TLOG_NOTE_MALFORMED', reason);
      rejects(() => openNote(input, [aliceV]), 'TLOG_NOTE_MALFORMED', reason);
    });
  }

  it('accepts 16 signatures, as the spec requires', () => {
    const signers = Array.from({ length: 16 }, (_, i) => createNoteSigner(`w${i}.example`, SIG_TYPE_ED25519, sha256(`w${i}`)));
    const n = signNote(TEXT, signers);
    assert.equal(openNote(n, signers.map((s) => parseVerifierKey(s.verifierKey))).verified.length, 16);
  });

  it('rejects oversized input before decoding it', () => {
    rejects(() => parseNote(Buffer.alloc(2 << 20, 0x61)), 'TLOG_NOTE_MALFORMED', 'too-large');
  });

  it('names the file and line of a bad signature line', () => {
    try {
      parseNote(`a\nb\n\n${sigLine}\n- bad\n`, { file: 'x.note' });
      assert.fail('expected a rejection');
    } catch (e) {
      assert.ok(e instanceof LogError);
      assert.deepEqual(e.location, { file: 'x.note', line: 5 });
    }
  });

  it('refuses to sign text that does not end in a newline or holds control characters', () => {
    rejects(() => signNote('no newline', [alice]), 'TLOG_NOTE_MALFORMED', 'text-no-newline');
    rejects(() => signNote('a\tb\n', [alice]), 'TLOG_NOTE_MALFORMED', 'control-char');
    rejects(() => formatNote({ text: TEXT, signatures: [] }), 'TLOG_NOTE_MALFORMED', 'no-signatures');
  });
});

describe('keys', () => {
  it('generated keys round-trip and sign notes their verifier accepts', () => {
    const { signerKey, verifierKey } = generateNoteKey('log.example/a');
    assert.match(signerKey, /^PRIVATE\+KEY\+log\.example\/a\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    assert.match(verifierKey, /^log\.example\/a\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const s = parseSignerKey(signerKey);
    assert.equal(s.verifierKey, verifierKey);
    openNote(signNote(TEXT, [s]), [parseVerifierKey(verifierKey)]);
  });

  const vkey = vectors[0]?.vkey as string;
  const [name, id, b64] = vkey.split('+') as [string, string, string];
  const raw = Buffer.from(b64, 'base64');
  const badVkeys: [string, string, string][] = [
    ['two fields', `${name}+${id}`, 'bad-format'],
    ['junk after the key', `${vkey}+x`, 'bad-key-material'],
    ['empty name', `+${id}+${b64}`, 'bad-name'],
    ['space in name', `a b+${id}+${b64}`, 'bad-name'],
    ['uppercase id', `${name}+${id.toUpperCase()}+${b64}`, 'bad-key-id'],
    ['short id', `${name}+${id.slice(1)}+${b64}`, 'bad-key-id'],
    ['id of another key', `${name}+00000000+${b64}`, 'key-id-mismatch'],
    ['name of another key', `example.com/bar+${id}+${b64}`, 'key-id-mismatch'],
    ['bad base64', `${name}+${id}+${b64.slice(1)}`, 'bad-key-material'],
    ['truncated key', `${name}+${id}+${raw.subarray(0, 32).toString('base64')}`, 'bad-key-material'],
    ['unknown type byte', `${name}+${id}+${Buffer.concat([Buffer.from([0x09]), raw.subarray(1)]).toString('base64')}`, 'unsupported-type'],
  ];
  for (const [what, k, reason] of badVkeys) {
    it(`rejects verifier key: ${what}`, () => rejects(() => parseVerifierKey(k), 'TLOG_KEY_MALFORMED', reason));
  }

  it('rejects malformed signer keys', () => {
    const skey = vectors.find((v) => v.skey)?.skey as string;
    rejects(() => parseSignerKey(skey.replace('PRIVATE+KEY+', '')), 'TLOG_KEY_MALFORMED', 'bad-format');
    rejects(() => parseSignerKey(skey.replace('PRIVATE', 'PUBLIC')), 'TLOG_KEY_MALFORMED', 'bad-format');
    rejects(() => parseSignerKey(skey.replace('+c74f20a3+', '+c74f20a4+')), 'TLOG_KEY_MALFORMED', 'key-id-mismatch');
    rejects(() => parseSignerKey(`${skey}=`), 'TLOG_KEY_MALFORMED', 'bad-key-material');
    // A verifier key is not a signer key, and vice versa.
    rejects(() => parseSignerKey(vkey), 'TLOG_KEY_MALFORMED', 'bad-format');
    rejects(() => parseVerifierKey(skey), 'TLOG_KEY_MALFORMED', 'private-key');
  });
});
