/**
 * The contract suite every Store backend must pass (SQLite now, PostgreSQL later). A backend's
 * test file calls runStoreContract with a fixture factory; the suite registers node:test tests.
 * Only behaviour visible through the Store interface is asserted here; driver-specific matters
 * (file permissions, corrupt files, crash recovery) live in the driver's own tests.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sha256, sha256Hex } from '../core/index.js';
import { StoreError } from './errors.js';
import type { StoreErrorCode } from './errors.js';
import type { DeliveryRecord, RecordRef, Store } from './types.js';

/** A fresh, empty storage location for one test. */
export interface StoreFixture {
  /** Opens a Store on this location; called again after close() to test persistence. */
  open(): Promise<Store>;
  /** Releases the location (deletes files, drops the schema). */
  dispose(): Promise<void>;
}

/** Builds a delivery with plausible, distinct digests; `over` replaces fields. */
function delivery(id: string, over: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    id,
    vendor: 'vendor-a',
    client: 'lab-1',
    status: 'sealed',
    envelopeSha256: sha256Hex(`envelope:${id}`),
    statementSha256: sha256Hex(`statement:${id}`),
    recordRoot: sha256Hex(`root:${id}`),
    recordSetRoot: sha256Hex(`set:${id}`),
    recordCount: 0,
    fileCount: 0,
    keyId: sha256Hex('key-1').slice(0, 32),
    sealedAt: '2026-01-15T10:00:00Z',
    meta: { schema: 'messages', window: { from: '2026-01-01', to: '2026-01-14' }, note: 'Zürich ✓' },
    ...over,
  };
}

/** Record i of a delivery: digest sha256(`${tag}:${i}`), spread over `files` files in order. */
function records(tag: string, n: number, files: readonly string[]): RecordRef[] {
  const out: RecordRef[] = [];
  const per = Math.ceil(n / files.length);
  for (let i = 0; i < n; i++) {
    const f = Math.floor(i / per);
    out.push({ digest: sha256(`${tag}:${i}`), file: files[f] as string, index: i - f * per });
  }
  return out;
}

async function* asAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  for (const x of items) {
    await Promise.resolve();
    yield x;
  }
}

async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected StoreError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Registers the Store contract tests for one backend. */
export function runStoreContract(name: string, factory: () => Promise<StoreFixture>): void {
  const withStore = async (fn: (store: Store, fixture: StoreFixture) => Promise<void>): Promise<void> => {
    const fixture = await factory();
    const store = await fixture.open();
    try {
      await fn(store, fixture);
    } finally {
      await store.close();
      await fixture.dispose();
    }
  };

  const FILES = ['data/part-0.jsonl', 'data/part-1.jsonl', 'data/part-2.jsonl'] as const;

  describe(`Store contract: ${name}`, () => {
    test('stores a delivery and its record index, and reads them back unchanged', () =>
      withStore(async (store) => {
        const d = delivery('d-1', { recordCount: 1000, fileCount: 3, path: '/data/in/d-1' });
        const res = await store.putDelivery(d, asAsync(records('d-1', 1000, FILES)));
        assert.deepEqual(res, { inserted: true, verificationAdded: false });
        assert.deepEqual(await store.getDelivery('d-1'), d);
        assert.equal(await store.countRecords('d-1'), 1000);
        assert.deepEqual(await store.findRecords(sha256('d-1:999')), [{ deliveryId: 'd-1', file: FILES[2], index: 331 }]);
        assert.equal(await store.getDelivery('d-2'), undefined);
        assert.equal(await store.countRecords('d-2'), 0);
        assert.ok((await store.schemaVersion()) >= 1);
      }));

    test('optional fields stay absent and an empty delivery is allowed', () =>
      withStore(async (store) => {
        const { statementSha256: _s, ...rest } = delivery('empty', { meta: {} });
        await store.putDelivery(rest, []);
        const got = await store.getDelivery('empty');
        assert.deepEqual(got, rest);
        assert.ok(got && !('statementSha256' in got) && !('path' in got) && !('verifiedAt' in got));
        assert.equal(await store.countRecords('empty'), 0);
      }));

    test('putting the same delivery again changes nothing and does not read the records again', () =>
      withStore(async (store) => {
        const d = delivery('d-1', { recordCount: 300, fileCount: 3 });
        await store.putDelivery(d, records('d-1', 300, FILES));
        let pulled = 0;
        function* counting(): Iterable<RecordRef> {
          for (const r of records('d-1', 300, FILES)) {
            pulled++;
            yield r;
          }
        }
        // path and meta are informational: a later put with other values does not rewrite them.
        const again = await store.putDelivery({ ...d, path: '/elsewhere', meta: { other: true } }, counting());
        assert.deepEqual(again, { inserted: false, verificationAdded: false });
        assert.equal(pulled, 0);
        assert.equal(await store.countRecords('d-1'), 300);
        assert.deepEqual(await store.getDelivery('d-1'), d);
        assert.equal((await store.listDeliveries()).length, 1);
      }));

    test('the same delivery id with another envelope digest is a conflict and keeps the first', () =>
      withStore(async (store) => {
        const d = delivery('d-1', { recordCount: 10, fileCount: 1 });
        await store.putDelivery(d, records('d-1', 10, ['a.jsonl']));
        const forged = { ...d, envelopeSha256: sha256Hex('forged') };
        await rejectsWith(store.putDelivery(forged, records('forged', 10, ['a.jsonl'])), 'STORE_CONFLICT');
        assert.deepEqual(await store.getDelivery('d-1'), d);
        assert.equal(await store.countRecords('d-1'), 10);
        assert.deepEqual(await store.findRecords(sha256('forged:0')), []);
      }));

    test('the same envelope with other sealed facts is a conflict', () =>
      withStore(async (store) => {
        const d = delivery('d-1', { recordCount: 2, fileCount: 1 });
        await store.putDelivery(d, records('d-1', 2, ['a.jsonl']));
        for (const over of [
          { recordRoot: sha256Hex('other root') },
          { recordSetRoot: sha256Hex('other set') },
          { vendor: 'vendor-b' },
          { client: 'lab-2' },
          { keyId: 'abcdef0123456789' },
          { recordCount: 3 },
          { sealedAt: '2026-01-15T10:00:01Z' },
          { statementSha256: sha256Hex('other statement') },
        ] satisfies Partial<DeliveryRecord>[]) {
          await rejectsWith(store.putDelivery({ ...d, ...over }, records('d-1', 2, ['a.jsonl'])), 'STORE_CONFLICT');
        }
        assert.deepEqual(await store.getDelivery('d-1'), d);
      }));

    test('one envelope digest cannot be stored under two delivery ids', () =>
      withStore(async (store) => {
        const d = delivery('d-1');
        await store.putDelivery(d, []);
        await rejectsWith(store.putDelivery({ ...d, id: 'd-2' }, []), 'STORE_CONFLICT');
        assert.equal(await store.getDelivery('d-2'), undefined);
      }));

    test('a records stream that throws mid-way leaves nothing, rethrows its own error, and the store stays usable', () =>
      withStore(async (store) => {
        const d = delivery('d-1', { recordCount: 5000, fileCount: 3 });
        const boom = new Error('disk read failed at record 3000');
        async function* failing(): AsyncIterable<RecordRef> {
          let i = 0;
          for (const r of records('d-1', 5000, FILES)) {
            if (i++ === 3000) throw boom;
            await Promise.resolve();
            yield r;
          }
        }
        await assert.rejects(store.putDelivery(d, failing()), (err) => err === boom);
        assert.equal(await store.getDelivery('d-1'), undefined);
        assert.equal(await store.countRecords('d-1'), 0);
        assert.deepEqual(await store.findRecords(sha256('d-1:0')), []);
        assert.deepEqual(await store.listDeliveries(), []);
        // A sync iterator failing is rolled back the same way.
        function* failingSync(): Iterable<RecordRef> {
          yield* records('d-1', 700, FILES);
          throw boom;
        }
        await assert.rejects(store.putDelivery(d, failingSync()), (err) => err === boom);
        assert.equal(await store.countRecords('d-1'), 0);
        // The failed attempts left no lock or half state behind: the real put succeeds.
        assert.equal((await store.putDelivery(d, records('d-1', 5000, FILES))).inserted, true);
        assert.equal(await store.countRecords('d-1'), 5000);
      }));

    test('a record stream shorter or longer than the declared counts stores nothing', () =>
      withStore(async (store) => {
        const d = delivery('d-1', { recordCount: 600, fileCount: 2 });
        await rejectsWith(store.putDelivery(d, records('d-1', 599, ['a', 'b'])), 'STORE_COUNT_MISMATCH');
        await rejectsWith(store.putDelivery(d, asAsync(records('d-1', 601, ['a', 'b']))), 'STORE_COUNT_MISMATCH');
        await rejectsWith(store.putDelivery(d, records('d-1', 600, ['a', 'b', 'c'])), 'STORE_COUNT_MISMATCH');
        assert.equal(await store.getDelivery('d-1'), undefined);
        assert.equal(await store.countRecords('d-1'), 0);
      }));

    test('a position (file, index) given twice is rejected and nothing is stored', () =>
      withStore(async (store) => {
        const rs = records('d-1', 400, ['a.jsonl']);
        rs[399] = { digest: sha256('dup'), file: 'a.jsonl', index: 7 };
        await rejectsWith(
          store.putDelivery(delivery('d-1', { recordCount: 400, fileCount: 1 }), rs),
          'STORE_INVALID_ARGUMENT',
        );
        assert.equal(await store.getDelivery('d-1'), undefined);
        assert.equal(await store.countRecords('d-1'), 0);
      }));

    test('malformed deliveries are rejected before anything is written', () =>
      withStore(async (store) => {
        const bad: [string, Partial<DeliveryRecord> | Record<string, unknown>][] = [
          ['empty id', { id: '' }],
          ['control characters in id', { id: 'd-1\u001b[2J' }],
          ['uppercase envelope hex', { envelopeSha256: sha256Hex('x').toUpperCase() }],
          ['short record root', { recordRoot: 'abcd' }],
          ['negative count', { recordCount: -1 }],
          ['fractional count', { fileCount: 1.5 }],
          ['non-hex key id', { keyId: 'not-a-key' }],
          ['date without offset', { sealedAt: '2026-01-15 10:00:00' }],
          ['impossible date', { sealedAt: '2026-13-45T10:00:00Z' }],
          ['unknown status', { status: 'accepted' }],
          ['verified without time', { status: 'verified' }],
          ['sealed with verification time', { verifiedAt: '2026-01-16T00:00:00Z' }],
          ['non-JSON meta', { meta: { n: Number.NaN } }],
          ['array meta', { meta: [] }],
        ];
        for (const [why, over] of bad) {
          const d = { ...delivery('d-1'), ...over } as DeliveryRecord;
          await assert.rejects(store.putDelivery(d, []), (err: unknown) => {
            assert.ok(err instanceof StoreError, why);
            assert.equal(err.code, 'STORE_INVALID_ARGUMENT', why);
            return true;
          });
        }
        for (const notIterable of [null, 42, { length: 0 }]) {
          await rejectsWith(store.putDelivery(delivery('d-1'), notIterable as unknown as RecordRef[]), 'STORE_INVALID_ARGUMENT');
        }
        assert.deepEqual(await store.listDeliveries(), []);
      }));

    test('malformed record references are rejected and roll back', () =>
      withStore(async (store) => {
        const d = delivery('d-1', { recordCount: 300, fileCount: 1 });
        const cases: [string, Record<string, unknown>][] = [
          ['31-byte digest', { digest: Buffer.alloc(31) }],
          ['hex string digest', { digest: sha256Hex('x') }],
          ['negative index', { index: -1 }],
          ['fractional index', { index: 0.5 }],
          ['empty file', { file: '' }],
        ];
        for (const [why, over] of cases) {
          const rs: RecordRef[] = records('d-1', 300, ['a.jsonl']);
          rs[299] = { ...rs[299], ...over } as unknown as RecordRef;
          await assert.rejects(store.putDelivery(d, rs), (err: unknown) => {
            assert.ok(err instanceof StoreError, why);
            assert.equal(err.code, 'STORE_INVALID_ARGUMENT', why);
            return true;
          });
          assert.equal(await store.countRecords('d-1'), 0, why);
        }
        assert.equal(await store.getDelivery('d-1'), undefined);
      }));

    test('accepts record digests as plain Uint8Array', () =>
      withStore(async (store) => {
        const rs = records('u8', 3, ['a']).map((r) => ({ ...r, digest: new Uint8Array(r.digest) }));
        await store.putDelivery(delivery('u8', { recordCount: 3, fileCount: 1 }), rs);
        assert.equal((await store.findRecords(sha256('u8:2'))).length, 1);
      }));

    test('a sealed delivery later verified records the event without duplicating records', () =>
      withStore(async (store) => {
        const d = delivery('d-1', { recordCount: 50, fileCount: 1 });
        await store.putDelivery(d, records('d-1', 50, ['a']));
        const v1 = { ...d, status: 'verified' as const, verifiedAt: '2026-01-16T08:00:00Z' };
        assert.deepEqual(await store.putDelivery(v1, records('d-1', 50, ['a'])), {
          inserted: false,
          verificationAdded: true,
        });
        assert.deepEqual(await store.getDelivery('d-1'), v1);
        assert.equal(await store.countRecords('d-1'), 50);
        assert.equal((await store.findRecords(sha256('d-1:0'))).length, 1);
        // The same verification again: nothing changes.
        assert.deepEqual(await store.putDelivery(v1, []), { inserted: false, verificationAdded: false });
        // A later re-verification is an event; the delivery keeps its first verification time.
        const v2 = { ...v1, verifiedAt: '2026-02-01T08:00:00+01:00' };
        assert.deepEqual(await store.putDelivery(v2, []), { inserted: false, verificationAdded: true });
        assert.deepEqual(await store.getDelivery('d-1'), v1);
        // A 'sealed' put never downgrades a verified delivery.
        assert.deepEqual(await store.putDelivery(d, []), { inserted: false, verificationAdded: false });
        assert.equal((await store.getDelivery('d-1'))?.status, 'verified');
        assert.deepEqual(
          (await store.listVerifications('d-1')).map((v) => v.verifiedAt),
          ['2026-01-16T08:00:00Z', '2026-02-01T08:00:00+01:00'],
        );
        assert.deepEqual(await store.listVerifications('nope'), []);
      }));

    test('a delivery first stored as verified carries its verification event', () =>
      withStore(async (store) => {
        const d = delivery('d-1', { status: 'verified', verifiedAt: '2026-01-16T08:00:00Z' });
        assert.deepEqual(await store.putDelivery(d, []), { inserted: true, verificationAdded: true });
        assert.deepEqual(await store.listVerifications('d-1'), [
          { deliveryId: 'd-1', verifiedAt: '2026-01-16T08:00:00Z', envelopeSha256: d.envelopeSha256 },
        ]);
      }));

    test('findRecords finds a digest in every delivery, by bytes or hex of either case', () =>
      withStore(async (store) => {
        const shared = sha256('shared record');
        await store.putDelivery(delivery('d-1', { recordCount: 2, fileCount: 2 }), [
          { digest: sha256('x'), file: 'b.jsonl', index: 0 },
          { digest: shared, file: 'c.jsonl', index: 0 },
        ]);
        await store.putDelivery(delivery('d-2', { recordCount: 3, fileCount: 1 }), [
          { digest: shared, file: 'a.jsonl', index: 0 },
          { digest: sha256('y'), file: 'a.jsonl', index: 1 },
          { digest: shared, file: 'a.jsonl', index: 2 },
        ]);
        const want = [
          { deliveryId: 'd-1', file: 'c.jsonl', index: 0 },
          { deliveryId: 'd-2', file: 'a.jsonl', index: 0 },
          { deliveryId: 'd-2', file: 'a.jsonl', index: 2 },
        ];
        assert.deepEqual(await store.findRecords(shared), want);
        assert.deepEqual(await store.findRecords(shared.toString('hex')), want);
        assert.deepEqual(await store.findRecords(shared.toString('hex').toUpperCase()), want);
        assert.deepEqual(await store.findRecords(sha256('absent')), []);
        for (const bad of ['', 'zz'.repeat(32), shared.toString('hex').slice(1), `${shared.toString('hex')}00`]) {
          await rejectsWith(store.findRecords(bad), 'STORE_INVALID_ARGUMENT');
        }
        await rejectsWith(store.findRecords(shared.subarray(0, 31)), 'STORE_INVALID_ARGUMENT');
      }));

    test('listDeliveries filters by vendor, client and status, in insertion order', () =>
      withStore(async (store) => {
        const put = (id: string, over: Partial<DeliveryRecord>) => store.putDelivery(delivery(id, over), []);
        await put('a1', { vendor: 'A', client: 'L1' });
        await put('b1', { vendor: 'B', client: 'L1', status: 'verified', verifiedAt: '2026-01-20T00:00:00Z' });
        await put('a2', { vendor: 'A', client: 'L2', status: 'verified', verifiedAt: '2026-01-21T00:00:00Z' });
        await put('a3', { vendor: 'A', client: 'L1' });
        const ids = async (f?: Parameters<Store['listDeliveries']>[0]) => (await store.listDeliveries(f)).map((d) => d.id);
        assert.deepEqual(await ids(), ['a1', 'b1', 'a2', 'a3']);
        assert.deepEqual(await ids({ vendor: 'A' }), ['a1', 'a2', 'a3']);
        assert.deepEqual(await ids({ client: 'L1' }), ['a1', 'b1', 'a3']);
        assert.deepEqual(await ids({ status: 'verified' }), ['b1', 'a2']);
        assert.deepEqual(await ids({ vendor: 'A', client: 'L1', status: 'sealed' }), ['a1', 'a3']);
        assert.deepEqual(await ids({ vendor: 'C' }), []);
        // Values are data, never SQL.
        assert.deepEqual(await ids({ vendor: "A' OR '1'='1" }), []);
      }));

    test('findRecordsMany yields one match per found input digest, in input order, across batches', () =>
      withStore(async (store) => {
        await store.putDelivery(delivery('d-1', { recordCount: 3000, fileCount: 3 }), records('d-1', 3000, FILES));
        await store.putDelivery(delivery('d-2', { recordCount: 10, fileCount: 1 }), records('d-1', 10, ['copy.jsonl']));
        const inputs: (Buffer | string)[] = [];
        const want: { digest: string; n: number }[] = [];
        for (let i = 2999; i >= 0; i -= 3) {
          inputs.push(i % 2 ? sha256(`d-1:${i}`) : sha256Hex(`d-1:${i}`));
          want.push({ digest: sha256Hex(`d-1:${i}`), n: i < 10 ? 2 : 1 });
          inputs.push(sha256(`absent:${i}`));
        }
        inputs.push(sha256('d-1:4'));
        want.push({ digest: sha256Hex('d-1:4'), n: 2 });
        const got = await collect(store.findRecordsMany(asAsync(inputs)));
        assert.deepEqual(
          got.map((m) => ({ digest: m.digest.toString('hex'), n: m.locations.length })),
          want,
        );
        const last = got.at(-1);
        assert.deepEqual(last?.locations, [
          { deliveryId: 'd-1', file: FILES[0], index: 4 },
          { deliveryId: 'd-2', file: 'copy.jsonl', index: 4 },
        ]);
        // Sync input, nothing found, and no input at all.
        assert.deepEqual(await collect(store.findRecordsMany([sha256('nope')])), []);
        assert.deepEqual(await collect(store.findRecordsMany([])), []);
        await assert.rejects(collect(store.findRecordsMany([sha256('ok'), 'not hex'])), (err: unknown) => {
          return err instanceof StoreError && err.code === 'STORE_INVALID_ARGUMENT';
        });
      }));

    test('file names are stored exactly: Unicode forms, emoji, spaces and separators stay distinct', () =>
      withStore(async (store) => {
        const names = [
          'caf\u00e9.jsonl', // NFC
          'cafe\u0301.jsonl', // NFD: looks the same, is another file
          'données/日本語/😀 part 1.jsonl',
          'مرحبا.jsonl',
          '../weird\\name\t.jsonl',
        ];
        const rs = names.map((file, i) => ({ digest: sha256(`u:${i}`), file, index: 0 }));
        await store.putDelivery(delivery('uni', { recordCount: rs.length, fileCount: names.length }), rs);
        for (const [i, file] of names.entries()) {
          assert.deepEqual(await store.findRecords(sha256(`u:${i}`)), [{ deliveryId: 'uni', file, index: 0 }]);
        }
      }));

    test('data survives close and reopen', () =>
      withStore(async (store, fixture) => {
        const d = delivery('d-1', { recordCount: 700, fileCount: 3, status: 'verified', verifiedAt: '2026-01-16T08:00:00Z' });
        await store.putDelivery(d, records('d-1', 700, FILES));
        const version = await store.schemaVersion();
        await store.close();
        const again = await fixture.open();
        try {
          assert.deepEqual(await again.getDelivery('d-1'), d);
          assert.equal(await again.countRecords('d-1'), 700);
          assert.equal(await again.schemaVersion(), version);
          assert.equal((await again.listVerifications('d-1')).length, 1);
          assert.deepEqual(await again.findRecords(sha256('d-1:0')), [{ deliveryId: 'd-1', file: FILES[0], index: 0 }]);
          // Idempotency holds across processes' lifetimes too.
          assert.equal((await again.putDelivery(d, [])).inserted, false);
        } finally {
          await again.close();
        }
      }));

    test('a closed store refuses every call with STORE_CLOSED', () =>
      withStore(async (store) => {
        await store.close();
        await store.close(); // closing twice is harmless
        await rejectsWith(store.getDelivery('x'), 'STORE_CLOSED');
        await rejectsWith(store.listDeliveries(), 'STORE_CLOSED');
        await rejectsWith(store.findRecords(sha256('x')), 'STORE_CLOSED');
        await rejectsWith(store.countRecords('x'), 'STORE_CLOSED');
        await rejectsWith(store.putDelivery(delivery('x'), []), 'STORE_CLOSED');
        await rejectsWith(collect(store.findRecordsMany([sha256('x')])), 'STORE_CLOSED');
      }));

    test('reads issued while a delivery streams in never see it half-written; writes queue', () =>
      withStore(async (store) => {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let reached!: () => void;
        const midway = new Promise<void>((r) => (reached = r));
        async function* slow(): AsyncIterable<RecordRef> {
          const rs = records('d-1', 1000, FILES);
          for (const [i, r] of rs.entries()) {
            if (i === 600) {
              reached();
              await gate;
            }
            yield r;
          }
        }
        const putting = store.putDelivery(delivery('d-1', { recordCount: 1000, fileCount: 3 }), slow());
        await midway;
        const observed: string[] = [];
        const reads = Promise.all([
          store.countRecords('d-1').then((n) => observed.push(`count=${n}`)),
          store.getDelivery('d-1').then((d) => observed.push(`get=${d?.id ?? 'none'}`)),
          store.findRecords(sha256('d-1:0')).then((l) => observed.push(`find=${l.length}`)),
        ]);
        const second = store.putDelivery(delivery('d-2', { recordCount: 1, fileCount: 1 }), records('d-2', 1, ['a']));
        await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(observed, [], 'reads must wait for the open write');
        release();
        await Promise.all([putting, second, reads]);
        assert.deepEqual(observed.sort(), ['count=1000', 'find=1', 'get=d-1']);
        assert.equal(await store.countRecords('d-2'), 1);
      }));
  });
}
