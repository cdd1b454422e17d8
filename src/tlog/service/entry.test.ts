import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalize, sha256Hex } from '../../core/index.js';
import { commitName, encodeLogEntry, generateCommitmentSalt, MAX_SUBJECTS, openCommitment, parseLogEntry } from './entry.js';

const h = (s: string): string => sha256Hex(s);
const fields = { envelope: h('env'), subjects: [h('a.jsonl'), h('b.jsonl')], recordRoot: h('root'), vendor: h('v'), client: h('c') };
const good = encodeLogEntry(fields);
const code = (fn: () => unknown, expected: string, reason?: string): void =>
  assert.throws(fn, (e: unknown) => {
    assert.equal((e as { code: string }).code, expected);
    if (reason !== undefined) assert.equal((e as { details?: { reason?: string } }).details?.reason, reason);
    return true;
  });

test('an entry encodes to canonical JSON with digests only and parses back', () => {
  assert.equal(good.toString(), canonicalize({ ...fields, v: 1 }));
  assert.match(good.toString(), /^\{"client":"[0-9a-f]{64}","envelope":/);
  assert.deepEqual(parseLogEntry(good), { v: 1, ...fields });
});

test('entries that are not the exact canonical form are refused', () => {
  const obj = JSON.parse(good.toString()) as Record<string, unknown>;
  code(() => parseLogEntry(Buffer.from(JSON.stringify(obj, null, 1))), 'TLOG_ENTRY_MALFORMED', 'not-canonical');
  code(() => parseLogEntry(Buffer.from(JSON.stringify({ v: 1, ...fields }))), 'TLOG_ENTRY_MALFORMED', 'not-canonical');
  code(() => parseLogEntry(Buffer.from(good.toString().replace('"v":1', '"v":1.0'))), 'TLOG_ENTRY_MALFORMED', 'not-canonical');
});

test('names or data in clear, unknown or missing members and bad digests are refused', () => {
  const obj = JSON.parse(good.toString()) as Record<string, unknown>;
  const enc = (o: unknown): Buffer => Buffer.from(canonicalize(o));
  code(() => parseLogEntry(enc({ ...obj, vendor: 'Acme Data Inc' })), 'TLOG_ENTRY_MALFORMED', 'not-digest');
  code(() => parseLogEntry(enc({ ...obj, clientName: 'Lab One' })), 'TLOG_ENTRY_MALFORMED', 'unknown-member');
  const { client: _c, ...noClient } = obj;
  code(() => parseLogEntry(enc(noClient)), 'TLOG_ENTRY_MALFORMED', 'missing-member');
  code(() => parseLogEntry(enc({ ...obj, envelope: h('x').toUpperCase() })), 'TLOG_ENTRY_MALFORMED', 'not-digest');
  code(() => parseLogEntry(enc({ ...obj, v: 2 })), 'TLOG_ENTRY_MALFORMED', 'version');
  code(() => parseLogEntry(enc({ ...obj, subjects: [] })), 'TLOG_ENTRY_MALFORMED', 'subjects');
  code(() => parseLogEntry(enc({ ...obj, subjects: [h('a'), 'record text'] })), 'TLOG_ENTRY_MALFORMED', 'not-digest');
  code(() => parseLogEntry(enc({ ...obj, subjects: Array.from({ length: MAX_SUBJECTS + 1 }, (_, i) => h(String(i))) })), 'TLOG_ENTRY_MALFORMED', 'subjects');
  code(() => parseLogEntry(enc([obj])), 'TLOG_ENTRY_MALFORMED', 'not-object');
});

test('bytes that are not JSON, not UTF-8, duplicate keys or too large are coded errors, never exceptions', () => {
  code(() => parseLogEntry(Buffer.from('{"v":1,')), 'TLOG_ENTRY_MALFORMED', 'json');
  code(() => parseLogEntry(Buffer.from([0x7b, 0xff, 0x7d])), 'TLOG_ENTRY_MALFORMED', 'not-utf8');
  const dup = good.toString().replace('{"client":', `{"client":"${h('other')}","client":`);
  code(() => parseLogEntry(Buffer.from(dup)), 'TLOG_ENTRY_MALFORMED', 'not-canonical');
  code(() => parseLogEntry(Buffer.alloc(70_000, 0x20)), 'TLOG_ENTRY_TOO_LARGE');
  code(() => parseLogEntry(Buffer.alloc(0)), 'TLOG_ENTRY_MALFORMED', 'json');
});

test('a commitment opens only with its own name and salt', () => {
  const salt = generateCommitmentSalt();
  const c = commitName('Acme Data Inc', salt);
  assert.match(c, /^[0-9a-f]{64}$/);
  assert.equal(openCommitment(c, 'Acme Data Inc', salt), true);
  assert.equal(openCommitment(c, 'Acme Data Inc.', salt), false);
  assert.equal(openCommitment(c, 'Acme Data Inc', generateCommitmentSalt()), false);
  assert.notEqual(commitName('Acme Data Inc', generateCommitmentSalt()), c, 'a fresh salt hides that two entries share a vendor');
  code(() => commitName('x', Buffer.alloc(8)), 'TLOG_ENTRY_MALFORMED', 'salt');
});
