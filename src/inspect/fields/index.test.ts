import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../core/index.js';
import { analyzeRecord, detectRoles, extractFields, parseFieldsFlag, recordFields, recordLayout, splitTranscripts } from './index.js';
import { sharedPath } from '../../core/index.js';

const DATA = sharedPath('data');

function firstLine(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  return JSON.parse(text.slice(0, text.indexOf('\n')));
}

function roleOf(value: unknown, path: string): string | undefined {
  return extractFields(value).find((f) => f.path === path)?.role;
}

test('extractFields flattens every string with its JSON path in document order', () => {
  const rec = { a: 'x', 'odd key': ['y', { b: 'z', n: 3 }], c: null, d: true };
  const fields = extractFields(rec);
  assert.deepEqual(
    fields.map((f) => [f.path, f.text]),
    [
      ['$.a', 'x'],
      ['$["odd key"][0]', 'y'],
      ['$["odd key"][1].b', 'z'],
    ],
  );
  assert.deepEqual(extractFields('just a string'), [{ path: '$', text: 'just a string' }]);
  assert.deepEqual(extractFields(42), []);
});

test('alpaca: instruction and input are the prompt, output the response', () => {
  const rec = { instruction: 'Translate', input: 'bonjour', output: 'hello' };
  const r = detectRoles(rec);
  assert.equal(r.layout, 'alpaca');
  assert.equal(roleOf(rec, '$.instruction'), 'prompt');
  assert.equal(roleOf(rec, '$.input'), 'prompt');
  assert.equal(roleOf(rec, '$.output'), 'response');
  assert.equal(r.texts.prompt, 'Translate\nbonjour');
  assert.equal(r.texts.response, 'hello');
});

test('messages: user and system turns are prompt, assistant turns response', () => {
  const rec = {
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ],
  };
  const r = detectRoles(rec);
  assert.equal(r.layout, 'messages');
  assert.equal(roleOf(rec, '$.messages[0].content'), 'prompt');
  assert.equal(roleOf(rec, '$.messages[1].content'), 'prompt');
  assert.equal(roleOf(rec, '$.messages[2].content'), 'response');
  assert.equal(r.paths['$.messages'], 'messages');
  assert.equal(r.texts.response, 'hello');
});

test('sharegpt conversations with from/value: human is prompt, gpt is response', () => {
  const rec = { id: 'x1', conversations: [{ from: 'human', value: 'q?' }, { from: 'gpt', value: 'a.' }] };
  assert.equal(detectRoles(rec).layout, 'sharegpt');
  assert.equal(roleOf(rec, '$.conversations[0].value'), 'prompt');
  assert.equal(roleOf(rec, '$.conversations[1].value'), 'response');
  assert.equal(roleOf(rec, '$.id'), undefined);
});

test('preference with prompt field, and with chat arrays', () => {
  const rec = { prompt: 'p', chosen: 'good', rejected: 'bad' };
  const r = detectRoles(rec);
  assert.equal(r.layout, 'preference');
  assert.deepEqual(r.texts, { prompt: 'p', chosen: 'good', rejected: 'bad' });
  const chat = {
    chosen: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'good' },
    ],
    rejected: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'bad' },
    ],
  };
  const c = detectRoles(chat);
  assert.equal(c.layout, 'preference');
  assert.equal(roleOf(chat, '$.chosen[1].content'), 'chosen');
  assert.equal(roleOf(chat, '$.rejected[1].content'), 'rejected');
  assert.equal(c.texts.prompt, 'q', 'the shared user turn appears once');
});

test('hh-rlhf record from the public file: transcripts, prompt is the shared dialogue', () => {
  const rec = firstLine(gunzipSync(readFileSync(`${DATA}/hh-rlhf-harmless-base-test.jsonl.gz`))) as {
    chosen: string;
    rejected: string;
  };
  const r = detectRoles(rec);
  assert.equal(r.layout, 'hh-rlhf');
  assert.equal(roleOf(rec, '$.chosen'), 'chosen');
  assert.equal(roleOf(rec, '$.rejected'), 'rejected');
  assert.ok(r.texts.prompt?.startsWith('Human: what are some pranks with a pen'));
  assert.ok(r.texts.prompt?.endsWith('Human: okay some of these do not have anything to do with pens'));
  assert.ok(r.texts.chosen?.startsWith('No, sorry!'));
  assert.ok(r.texts.rejected?.startsWith('There are lots of funny things'));
  assert.ok(!r.texts.chosen?.includes('Human:'));
});

test('splitTranscripts: divergence inside the marker or no marker gives no split', () => {
  assert.equal(splitTranscripts('\n\nHuman: a\n\nAs', '\n\nHuman: a\n\nAx'), undefined);
  assert.equal(splitTranscripts('abc', 'abd'), undefined);
  assert.equal(splitTranscripts(1, 'x'), undefined);
  const same = splitTranscripts('\n\nHuman: hi\n\nAssistant: yo', '\n\nHuman: hi\n\nAssistant: yo');
  assert.deepEqual(same, { prompt: 'Human: hi', chosen: 'yo', rejected: 'yo' });
});

test('gsm8k record: question is the prompt, answer the response', () => {
  const rec = firstLine(readFileSync(`${DATA}/gsm8k-test.jsonl`));
  const r = detectRoles(rec);
  assert.equal(r.layout, 'question-answer');
  assert.ok(r.texts.prompt?.startsWith('Janet'));
  assert.ok(r.texts.response?.endsWith('#### 18'));
});

test('text/label, sentence/label (numeric label), prompt/completion, plain text', () => {
  const tl = detectRoles({ text: 'great film', label: 'pos' });
  assert.equal(tl.layout, 'text-label');
  assert.deepEqual(tl.texts, { text: 'great film', label: 'pos' });
  const sl = detectRoles({ sentence: 'bad film', label: 0 });
  assert.equal(sl.layout, 'sentence-label');
  assert.equal(sl.texts.label, '0');
  assert.equal(detectRoles({ prompt: 'a', completion: 'b' }).layout, 'prompt-completion');
  assert.equal(detectRoles({ text: 'line' }).layout, 'text');
  assert.equal(detectRoles({ foo: 'bar' }).layout, 'unknown');
  assert.equal(detectRoles(['a']).layout, 'unknown');
  assert.equal(detectRoles(null).layout, 'unknown');
});

test('messages that are not chat turns are not taken for a chat layout', () => {
  assert.equal(detectRoles({ messages: 'hello' }).layout, 'unknown');
  assert.equal(detectRoles({ messages: [{ text: 'no role' }] }).layout, 'unknown');
  assert.equal(detectRoles({ messages: [] }).layout, 'unknown');
});

test('overrides win over detection and take the role away from detected fields', () => {
  const rec = { instruction: 'i', input: 'x', output: 'o', meta: { q: 'nested' } };
  const a = analyzeRecord(rec, { prompt: 'instruction' });
  assert.equal(a.fields.find((f) => f.path === '$.input')?.role, undefined);
  assert.equal(a.fields.find((f) => f.path === '$.output')?.role, 'response');
  assert.equal(a.layout, 'alpaca');
  const b = analyzeRecord({ query: 'q', reply: 'r', meta: { q: 'n' } }, parseFieldsFlag('prompt=query, response=reply,text=$.meta'));
  assert.equal(b.layout, 'custom');
  assert.equal(b.texts.prompt, 'q');
  assert.equal(b.texts.response, 'r');
  assert.equal(b.fields.find((f) => f.path === '$.meta.q')?.role, 'text', 'strings under a named object inherit');
});

test('parseFieldsFlag: repeated role collects fields; bad input gives coded InputErrors', () => {
  assert.deepEqual(parseFieldsFlag('prompt=instruction,prompt=input,response=output'), {
    prompt: ['instruction', 'input'],
    response: 'output',
  });
  const bad: Array<[string, string]> = [
    ['prompt', 'FIELDS_SYNTAX'],
    ['=x', 'FIELDS_SYNTAX'],
    ['prompt=', 'FIELDS_SYNTAX'],
    ['prompt=a,,response=b', 'FIELDS_SYNTAX'],
    ['', 'FIELDS_SYNTAX'],
    ['answer=output', 'FIELDS_UNKNOWN_ROLE'],
    ['Prompt=x', 'FIELDS_UNKNOWN_ROLE'],
    ['prompt=x,response=x', 'FIELDS_CONFLICT'],
  ];
  for (const [s, code] of bad) {
    assert.throws(
      () => parseFieldsFlag(s),
      (e: unknown) => e instanceof InputError && e.code === code && e.message.includes('--fields'),
      s,
    );
  }
});

test('deeply nested records do not overflow the stack', () => {
  let v: unknown = 'leaf';
  for (let i = 0; i < 5000; i++) v = [v];
  assert.deepEqual(extractFields(v), []);
});

test('recordFields and recordLayout agree with analyzeRecord (odd keys, long keys, overrides, non-objects)', () => {
  const long = 'k'.repeat(100);
  const values: unknown[] = [
    { question: 'q', answer: 'a' },
    { 'odd key': 'x', __proto__x: 'y', '': 'empty key', [long]: 'long', nested: { 'a.b': ['s', 1, { c: 'd' }] } },
    { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo' }], system: 's' },
    { conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'yo' }] },
    { chosen: 'Human: a\n\nAssistant: b', rejected: 'Human: a\n\nAssistant: c' },
    { chosen: [{ role: 'user', content: 'u' }, { role: 'assistant', content: 'c' }], rejected: 'r', prompt: 'p' },
    { instruction: 'i', input: '', output: 'o' },
    { sentence: 's', label: 1 },
    'bare',
    [1, 'two'],
    null,
    JSON.parse('{"__proto__": "own", "text": "t"}') as unknown,
  ];
  for (const v of values) {
    const a = analyzeRecord(v);
    assert.deepEqual(recordFields(v), a.fields);
    assert.equal(recordLayout(v), a.layout);
    const o = { prompt: 'nested', response: '$.answer' } as const;
    assert.deepEqual(recordFields(v, o), analyzeRecord(v, o).fields);
  }
  assert.deepEqual(recordFields(values[1]).map((f) => f.path), ['$["odd key"]', '$.__proto__x', '$[""]', `$.${long}`, '$.nested["a.b"][0]', '$.nested["a.b"][2].c']);
});
