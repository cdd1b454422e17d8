import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADDRESS_WORD, BIRTH_WORD, BOX_WORD, DIGIT, EU_STREET, EU_WORDS, LONG_NUMBER, NAME_WORD, NUMBER_CAPITAL, prescan, STREET_PREFIX, WEAK_ADDRESS } from './prescan.js';

const has = (text: string, flag: number): boolean => (prescan(text) & flag) !== 0;

describe('pii prescan flags', () => {
  const cases: [name: string, flag: number, yes: string[], no: string[]][] = [
    ['DIGIT', DIGIT, ['a1', '٣ and 7'], ['no digits here', '٣']],
    ['LONG_NUMBER', LONG_NUMBER, ['555 123 4567', '(415) 555-2671', '4111-1111-1111-1111', '1234567'], ['12 34 56', '123456', '1 2 3     4 5 6 7', '12a34567', '123\n4567']],
    ['BIRTH_WORD', BIRTH_WORD, ['born on', 'Birthday', 'BIRTHDATE', 'DOB:', 'd.o.b.', 'd.ob', 'Do.B', '5born'], ['bo rn', 'bird', 'do b', 'd.o.c', 'stubborn', 'adobo', 'o.b']],
    ['NUMBER_CAPITAL', NUMBER_CAPITAL, ['12 Main', '5b  Elm', '12\u00a0Main', '7 Ödön'], ['12 main', '12   Main', '12bc Main']],
    ['STREET_PREFIX', STREET_PREFIX, ['12 rue de la Paix', 'Via Roma 3', 'ul. Narewska 9', 'c/ Mayor 5', 'Av. Paulista 1', 'allée des Roses 4', 'piazza\u00a0Navona'], ['true story', 'ul Narewska', 'c/Mayor', 'viable', 'a place,']],
    ['BOX_WORD', BOX_WORD, ['P.O.Box 12', 'POBox 5', 'Apt. 4', 'Suite 9', 'USNS Vincent', 'PSC 1234'], ['box 12', 'suite 9', 'apt', 'Boxes']],
    ['ADDRESS_WORD', ADDRESS_WORD, ['my address: x', 'ship to', 'LIVE AT', 'meet me at', 'ſhip to'], ['relationship', 'email me', 'addresses', 'stopped']],
    ['EU_STREET', EU_STREET, ['Hauptstraße 5', 'Koskikatu  25', 'Storgatan\u00a03', 'Rákóczi út 12', 'Sahantie 72'], ['Hauptstraße\n\n\n5', 'Koskikatu5', 'straßen 5', 'Kattu 3']],
    ['WEAK_ADDRESS', WEAK_ADDRESS, ['it is at 12 Elm', 'She lives on Rosenhøj 14', 'The shop is on Main 5', 'were at\n 4', 'is on Ödön'], ['it is at noon', 'was on sale', 'this at 12', 'is attending 5']],
  ];
  for (const [name, flag, yes, no] of cases) {
    it(`sets ${name} exactly where it should`, () => {
      // (a digit on its own line: flags other than DIGIT are only looked for next to one)
      const withDigit = (t: string): string => (flag === DIGIT ? t : `${t}\n1`);
      for (const t of yes) assert.ok(has(withDigit(t), flag), `${name} expected on ${JSON.stringify(t)}`);
      for (const t of no) assert.ok(!has(withDigit(t), flag), `${name} not expected on ${JSON.stringify(t)}`);
    });
  }
  it('is a superset of the regex gates it replaced', () => {
    const gates: [number, RegExp][] = [
      [LONG_NUMBER, /\d(?:[ \t()./-]{0,4}\d){6}/],
      [NUMBER_CAPITAL, /\d[A-Za-z]?\s{1,2}\p{Lu}/u],
      // the date-of-birth finder's trigger words
      [BIRTH_WORD | DIGIT, /\b(?:born(?:\s+on|\s+in)?|date\s+of\s+birth|birth\s?date|birthday|d\.?o\.?b\.?)(?![a-z])/i],
      [NAME_WORD, /\b(?:sur)?name\b|my name is/i],
    ];
    const samples = [
      'Born 12.03.1990 in Graz', 'call 0044 20 7946 0958 now', '3  Élan', 'x9 Y', 'D.O.B 1/2/1990', 'rebirth 1999',
      'tel. (01) 23-45.67 89', 'abc 12\u2003Ödön', 'dob', 'no match at all', '12 34 56 78', '1 2 3 4 5 6 7',
      'd.ob 1990', 'do.b. 1/1/90', 'Date of Birth: 1990', 'birth date 5', 'born in 1990', 'bornéo 5', 'Surname? 5', 'My NaMe is x 5',
    ];
    for (const t of samples) {
      for (const [flag, re] of gates) {
        // (the date-of-birth finder also needs a digit: every date form has one)
        if (flag === (BIRTH_WORD | DIGIT)) {
          if (re.test(t) && /\d/.test(t)) assert.ok(has(t, BIRTH_WORD), JSON.stringify(t));
        } else if (re.test(t)) assert.ok(has(t, flag), `${flag} on ${JSON.stringify(t)}`);
      }
    }
  });
  it('sets EU_STREET where the regex gate it replaced would pass', () => {
    // The former gate (euStreetGate in scan.ts): each whitespace-digit pair, the word before it (one
    // more whitespace allowed) ending in a continental street word, looked up by its last two
    // characters (the first lower-cased, the second as written).
    const old = (t: string): boolean => {
      for (const m of t.matchAll(/\s\d/g)) {
        let j = m.index;
        if (j > 0 && /\s/.test(t.charAt(j - 1))) j--;
        if (j < 2) continue;
        const ending = t.charAt(j - 2).toLowerCase() + t.charAt(j - 1);
        const word = t.slice(Math.max(0, j - 32), j).toLowerCase();
        if (EU_WORDS.some((w) => w.endsWith(ending) && word.endsWith(w))) return true;
      }
      return false;
    };
    const samples = ['Hauptstraße 5', 'see Weg 12', 'a gate  4', 'tie\t9', 'Vej\n1', 'x 1 y 2', 'Ulica 3', 'ULICE 4', 'laan5', 'út 1', 'tér\u20031', 'bulvarı 2', 'u. 7'];
    for (const t of samples) assert.equal(has(t, EU_STREET), old(t), JSON.stringify(t));
  });
  it('looks only for NAME_WORD in a text without digits', () => {
    assert.equal(prescan('Her Name was born at the address'), NAME_WORD);
    assert.equal(prescan('born at the address'), 0);
    assert.equal(prescan('NAME'), NAME_WORD);
    assert.equal(prescan('nAME'), 0);
    assert.ok(has('my name is 5', NAME_WORD) && has('NAME: 5', NAME_WORD) && has('nAmE 5', NAME_WORD) && !has('username 5', NAME_WORD));
  });
  it('answers for the text asked, not the previous one', () => {
    assert.ok(has('born 1990', BIRTH_WORD));
    assert.ok(!has('bore 1990', BIRTH_WORD));
    assert.ok(has('born 1990', BIRTH_WORD));
  });
});
