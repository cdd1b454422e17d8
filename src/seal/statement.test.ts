import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SealError } from './errors.js';
import {
  buildStatement,
  checkRelativePath,
  comparePaths,
  DELIVERY_PREDICATE_TYPE,
  parseDeliveryStatement,
  parseMeta,
  serializeStatement,
  SIDECAR_FORMAT,
  type DeliveryPredicate,
} from './statement.js';

const H = (c: string): string => c.repeat(64);

function predicate(over: Partial<DeliveryPredicate> = {}): DeliveryPredicate {
  return {
    vendor: 'Acme Data',
    client: 'Lab',
    deliveryId: 'acme-20260101-aaaaaaaaaaaa',
    files: [
      { path: 'a.jsonl', size: 10, sha256: H('1'), format: 'jsonl', gzip: false, records: 2, recordRoot: H('2') },
      { path: 'sub/b.csv', size: 5, sha256: H('3'), format: 'csv', gzip: false, records: 1, recordRoot: H('4') },
    ],
    recordRoot: H('5'),
    recordSetRoot: H('6'),
    counts: { files: 2, records: 3, bytes: 15 },
    exclude: [],
    sidecar: { name: 'records.sidecar', format: SIDECAR_FORMAT, size: 100, sha256: H('7') },
    tool: { name: 'provenant', version: '0.1.0' },
    sealedAt: '2026-01-01T00:00:00Z',
    ...over,
  };
}

const bytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

test('a built statement serializes canonically and parses back', () => {
  const st = buildStatement(predicate({ annotators: [{ id: 'ann-1', records: 3 }], collection: { start: '2025-12-01T00:00:00Z', end: '2025-12-31T00:00:00Z' } }));
  const payload = serializeStatement(st);
  assert.deepEqual(parseDeliveryStatement(payload), st);
  assert.deepEqual(st.subject, [
    { name: 'a.jsonl', digest: { sha256: H('1') } },
    { name: 'sub/b.csv', digest: { sha256: H('3') } },
  ]);
  assert.equal(st.predicateType, DELIVERY_PREDICATE_TYPE);
  // RFC 8785: keys sorted, no whitespace.
  assert.ok(payload.toString().startsWith('{"_type":"https://in-toto.io/Statement/v1","predicate":{'));
});

test('statement type and predicate type errors have distinct codes', () => {
  const st = buildStatement(predicate()) as unknown as Record<string, unknown>;
  assert.throws(() => parseDeliveryStatement(bytes({ ...st, _type: 'https://in-toto.io/Statement/v0.1' })), { code: 'SEAL_STATEMENT_TYPE' });
  assert.throws(() => parseDeliveryStatement(bytes({ ...st, predicateType: 'https://slsa.dev/provenance/v1' })), { code: 'SEAL_PREDICATE_TYPE' });
  assert.throws(() => parseDeliveryStatement(bytes([1])), { code: 'SEAL_STATEMENT_TYPE' });
  assert.throws(() => parseDeliveryStatement(Buffer.from('{"_type":1,"_type":2}')), { code: 'SEAL_PAYLOAD_DUPLICATE_KEY' });
  assert.throws(() => parseDeliveryStatement(Buffer.from('{"_type":')), { code: 'SEAL_PAYLOAD_JSON' });
  assert.throws(() => parseDeliveryStatement(Buffer.from([0x7b, 0xff, 0x7d])), { code: 'SEAL_PAYLOAD_JSON' });
});

test('unsafe paths in a statement are rejected with their own codes', () => {
  const cases: [string, string][] = [
    ['../etc/passwd', 'SEAL_PATH_TRAVERSAL'],
    ['a/../../b', 'SEAL_PATH_TRAVERSAL'],
    ['..\\x', 'SEAL_PATH_TRAVERSAL'],
    ['/etc/passwd', 'SEAL_PATH_ABSOLUTE'],
    ['C:/x', 'SEAL_PATH_ABSOLUTE'],
    ['a\\b', 'SEAL_PATH_INVALID'],
    ['a//b', 'SEAL_PATH_INVALID'],
    ['./a', 'SEAL_PATH_INVALID'],
    ['a/', 'SEAL_PATH_INVALID'],
    ['a\u0000b', 'SEAL_PATH_INVALID'],
    ['', 'SEAL_PATH_INVALID'],
  ];
  for (const [p, code] of cases) {
    assert.equal(checkRelativePath(p)?.code, code, p);
    const files = [{ path: p, size: 1, sha256: H('1'), format: 'jsonl' as const, gzip: false, records: 0, recordRoot: H('2') }];
    const st = buildStatement(predicate({ files, counts: { files: 1, records: 0, bytes: 1 } }));
    assert.throws(() => parseDeliveryStatement(serializeStatement(st)), { code }, p);
  }
  assert.equal(checkRelativePath('sub/dir/file.jsonl.gz'), undefined);
  assert.equal(checkRelativePath('..a/b..'), undefined);
});

test('malformed predicates list every issue with its JSON path', () => {
  const st = buildStatement(predicate()) as unknown as { predicate: Record<string, unknown> };
  const bad = { ...st, predicate: { ...st.predicate, vendor: '', counts: { files: 2, records: 99, bytes: 15 }, surprise: 1, recordRoot: 'ABC' } };
  try {
    parseDeliveryStatement(bytes(bad));
    assert.fail('must throw');
  } catch (e) {
    assert.ok(e instanceof SealError);
    assert.equal(e.code, 'SEAL_STATEMENT_INVALID');
    const paths = ((e.details?.['issues'] ?? []) as { path: string }[]).map((i) => i.path).sort();
    assert.deepEqual(paths, ['$.predicate.counts.records', '$.predicate.recordRoot', '$.predicate.surprise', '$.predicate.vendor']);
  }
});

test('unsorted or duplicate files and subjects that disagree with the files are rejected', () => {
  const p = predicate();
  const swapped = { ...p, files: [p.files[1], p.files[0]] } as DeliveryPredicate;
  assert.throws(() => parseDeliveryStatement(serializeStatement(buildStatement(swapped))), { code: 'SEAL_STATEMENT_INVALID' });
  const st = buildStatement(p);
  const subj = { ...st, subject: [st.subject[0], { name: 'sub/b.csv', digest: { sha256: H('9') } }] };
  assert.throws(() => parseDeliveryStatement(bytes(subj)), { code: 'SEAL_STATEMENT_SUBJECT_MISMATCH' });
  const fewer = { ...st, subject: [st.subject[0]] };
  assert.throws(() => parseDeliveryStatement(bytes(fewer)), { code: 'SEAL_STATEMENT_SUBJECT_MISMATCH' });
});

test('paths sort bytewise (UTF-8), not by locale or UTF-16', () => {
  const paths = ['b', 'a/b', 'a-c', 'A', 'é', 'z', '\u{1F600}', '\uFF61'];
  assert.deepEqual([...paths].sort(comparePaths), ['A', 'a-c', 'a/b', 'b', 'z', 'é', '\uFF61', '\u{1F600}']);
});

test('meta: valid documents pass; unknown keys and bad values are all listed', () => {
  const ok = parseMeta(JSON.stringify({ licenses: ['CC-BY-4.0'], annotators: [{ id: 'a1', records: 5 }], task: { id: 'T-1' }, parents: [{ deliveryId: 'acme-1' }] }));
  assert.deepEqual(ok.licenses, ['CC-BY-4.0']);
  try {
    parseMeta(JSON.stringify({ licence: 'MIT', annotators: [{ id: 'jane@example.com', records: -1 }], collection: { start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' } }), 'meta.json');
    assert.fail('must throw');
  } catch (e) {
    assert.ok(e instanceof SealError);
    assert.equal(e.code, 'SEAL_META_INVALID');
    assert.equal(e.kind, 'input');
    const paths = ((e.details?.['issues'] ?? []) as { path: string }[]).map((i) => i.path).sort();
    assert.deepEqual(paths, ['$.annotators[0].id', '$.annotators[0].records', '$.collection', '$.licence']);
  }
  assert.throws(() => parseMeta('{"task":{"id":"x"},"task":{"id":"y"}}'), { code: 'SEAL_META_INVALID' });
  assert.throws(() => parseMeta('[]'), { code: 'SEAL_META_INVALID' });
});

test('exclude patterns in a statement must be relative POSIX patterns', () => {
  for (const bad of ['/etc', 'a\\b', '']) {
    const st = buildStatement(predicate({ exclude: [bad] }));
    assert.throws(() => parseDeliveryStatement(serializeStatement(st)), { code: 'SEAL_STATEMENT_INVALID' }, bad);
  }
  assert.equal(parseDeliveryStatement(serializeStatement(buildStatement(predicate({ exclude: ['tmp/**', '*.md'] })))).predicate.exclude.length, 2);
});
