import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileLiterals, isScannableLiteral, selectScannable } from './literals.js';
import { SECRET_RULES } from '../detectors/secrets/rules.js';

/** The literals found in `text`, via `scan`. */
function found(literals: readonly string[], text: string, pageBits?: Uint32Array): string[] {
  const s = compileLiterals(literals, pageBits);
  const flags = new Uint8Array(literals.length);
  const n = s.scan(text, flags);
  const out = literals.filter((_, i) => flags[i] === 1);
  assert.equal(n, out.length);
  return out;
}

/** A small deterministic generator (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 0x100000000;
  };
}

describe('literal scanner', () => {
  const LITS = ['akia', 'secret', 'secret_', 'secret_access', 'sk-', 'sk-ant-', 'q~', '<|', '### response', '://', 'bot '];

  it('finds literals in any case, at the start, the end and overlapping each other', () => {
    assert.deepEqual(found(LITS, 'AKIA at the start'), ['akia']);
    assert.deepEqual(found(LITS, 'ends with aKiA'), ['akia']);
    assert.deepEqual(found(LITS, 'SeCrEt_AcCeSs'), ['secret', 'secret_', 'secret_access']);
    assert.deepEqual(found(LITS, 'x SK-ANT-api03'), ['sk-', 'sk-ant-']);
    assert.deepEqual(found(LITS, 'xxQ~'), ['q~'], 'a 2-character literal ending the text');
    assert.deepEqual(found(LITS, 'Q~'), ['q~'], 'a 2-character literal that is the whole text');
    assert.deepEqual(found(LITS, '<|'), ['<|']);
    assert.deepEqual(found(LITS, '### RESPONSE:'), ['### response']);
    assert.deepEqual(found(LITS, 'http://x a BOT x'), ['://', 'bot ']);
    assert.deepEqual(found(LITS, 'akiaakia secretsecret'), ['akia', 'secret'], 'repeats count once');
  });

  it('finds nothing in text without them, or in near misses', () => {
    assert.deepEqual(found(LITS, ''), []);
    assert.deepEqual(found(LITS, 'q'), []);
    assert.deepEqual(found(LITS, 'Natalia sold clips to 48 of her friends in April.'), []);
    assert.deepEqual(found(LITS, 'akI secre sk_ <| ### respons :/ bot'), ['<|']);
    assert.deepEqual(found(LITS, 'bot'), [], 'a literal cut by the end of the text');
    assert.deepEqual(found(LITS, '### response'.slice(0, 11)), []);
  });

  it('never matches a non-ASCII character to an ASCII literal (like a regex with i and no u)', () => {
    assert.deepEqual(found(LITS, 'a\u212Aia'), [], 'KELVIN SIGN is not k');
    assert.deepEqual(found(LITS, 'sk\u2011ant'), [], 'a non-breaking hyphen is not -');
    assert.deepEqual(found(LITS, '\u00e9akia\u00e9'), ['akia'], 'literals next to non-ASCII text');
    assert.deepEqual(found(LITS, 'ſecret'), [], 'LONG S is not s');
  });

  it('flags U+0130 and U+212A, where toLowerCase() yields ASCII letters', () => {
    const s = compileLiterals(LITS);
    const flags = new Uint8Array(LITS.length);
    s.scan('plain text', flags);
    assert.equal(s.foldHazard, false);
    s.scan('\u0130stanbul', flags);
    assert.equal(s.foldHazard, true);
    s.scan('20 \u212A', flags);
    assert.equal(s.foldHazard, true);
    s.scan('caf\u00e9', flags);
    assert.equal(s.foldHazard, false);
  });

  it('reports the pages of non-ASCII characters it was given bits for', () => {
    const bits = new Uint32Array(256);
    bits[0x04] = 1;
    bits[0xac] = 2;
    const s = compileLiterals(['abc'], bits);
    const flags = new Uint8Array(1);
    s.scan('plain \u2019quotes\u2019 and caf\u00e9', flags);
    assert.equal(s.pages, 0);
    s.scan('Игнорируй', flags);
    assert.equal(s.pages, 1);
    s.scan('x \uAC00 y \u0410', flags);
    assert.equal(s.pages, 3);
  });

  it('agrees with toLowerCase().includes() on random text over the rule keywords', () => {
    const keywords = [...new Set(SECRET_RULES.flatMap((r) => r.keywords))];
    const s = compileLiterals(keywords);
    const flags = new Uint8Array(keywords.length);
    const alphabet = 'aAkKiIsS_-.:q~ 0123456789$=/pPwWdDtToOeEnNbByYjJ#<|>\u00e9\u2019\u0410';
    const next = lcg(7);
    // Text built from keyword fragments, so that most keywords occur somewhere in the run.
    for (let round = 0; round < 3000; round++) {
      let text = '';
      const parts = 1 + Math.floor(next() * 6);
      for (let p = 0; p < parts; p++) {
        if (next() < 0.5) {
          const k = keywords[Math.floor(next() * keywords.length)] as string;
          text += next() < 0.5 ? k.toUpperCase() : k.slice(0, Math.max(1, Math.floor(next() * (k.length + 1))));
        } else {
          for (let j = Math.floor(next() * 6); j > 0; j--) text += alphabet.charAt(Math.floor(next() * alphabet.length));
        }
      }
      flags.fill(0);
      s.scan(text, flags);
      const lower = text.toLowerCase();
      keywords.forEach((k, i) => assert.equal(flags[i] === 1, lower.includes(k), `${JSON.stringify(text)} / ${k}`));
    }
  });

  it('accepts only 2+ lowercase printable ASCII characters, at most 63 distinct', () => {
    assert.equal(isScannableLiteral('sk-'), true);
    assert.equal(isScannableLiteral('q~'), true);
    assert.equal(isScannableLiteral('k'), false);
    assert.equal(isScannableLiteral(''), false);
    assert.equal(isScannableLiteral('AKIA'), false);
    assert.equal(isScannableLiteral('cl\u00e9'), false);
    assert.equal(isScannableLiteral('a\tb'), false);
    assert.throws(() => compileLiterals(['AKIA']));
    assert.throws(() => compileLiterals(['ab'], new Uint32Array(3)));
    // All 69 usable characters in pairs: the greedy selection stops adding literals that bring new ones.
    const usable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c < 'A' || c > 'Z');
    const wide = Array.from({ length: 34 }, (_, i) => `${usable[2 * i] ?? ''}${usable[2 * i + 1] ?? ''}`);
    assert.ok(wide.every(isScannableLiteral));
    const picked = selectScannable(wide);
    assert.ok(picked.length < wide.length);
    assert.ok(new Set(picked.join('')).size <= 63);
    assert.doesNotThrow(() => compileLiterals(picked));
    assert.deepEqual(selectScannable(['ab', 'K', 'cd', 'Xy']), ['ab', 'cd']);
  });
});
