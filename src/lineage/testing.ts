/** Test fixtures shared by the lineage tests (not part of the public API). */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { generateKeyPair, sealDelivery, type DeliveryMeta } from '../seal/index.js';
import { createSqliteLineageStore, registerSeal, type SqliteLineageStore } from '../store/index.js';

export interface Rec {
  readonly prompt: string;
  readonly response: string;
}

/** n records with string fields (so that a CSV conversion keeps their digests). */
export function recs(tag: string, n: number): Rec[] {
  return Array.from({ length: n }, (_, i) => ({ prompt: `${tag} question ${i}`, response: `${tag} answer ${i}` }));
}

export function jsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

export function csv(rows: readonly Rec[]): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return ['prompt,response', ...rows.map((r) => `${q(r.prompt)},${q(r.response)}`)].join('\n') + '\n';
}

export interface Fixture {
  readonly dir: string;
  readonly store: SqliteLineageStore;
  readonly storePath: string;
  /** Seals `rows` as a delivery of `vendor` and registers it (status 'verified'). */
  deliver(o: { vendor: string; id: string; rows: readonly unknown[]; meta?: DeliveryMeta; keyPem?: { privateKey: string; publicKey: string }; sealedAt?: string; client?: string }): Promise<void>;
  write(rel: string, text: string): Promise<string>;
  reopen(): Promise<SqliteLineageStore>;
  dispose(): Promise<void>;
}

/** A temp folder with an empty lineage store. */
export async function createFixture(): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-lineage-'));
  const storePath = join(dir, 'home', 'provenant.db');
  let store = await createSqliteLineageStore({ path: storePath, synchronous: 'normal' });
  const keys = new Map<string, { privateKey: string; publicKey: string }>();
  const fx: Fixture = {
    dir,
    storePath,
    get store() {
      return store;
    },
    async deliver(o) {
      const k = o.keyPem ?? keys.get(o.vendor) ?? generateKeyPair();
      keys.set(o.vendor, k);
      const path = join(dir, 'deliveries', o.id);
      await mkdir(path, { recursive: true });
      await writeFile(join(path, 'data.jsonl'), jsonl(o.rows));
      await mkdir(join(dir, 'seals'), { recursive: true });
      const sealDir = join(dir, 'seals', o.id);
      await sealDelivery({ path, key: k.privateKey, vendor: o.vendor, client: o.client ?? 'lab-1', deliveryId: o.id, out: sealDir, ...(o.meta ? { meta: o.meta } : {}), now: new Date(o.sealedAt ?? '2026-02-01T00:00:00Z') });
      await registerSeal(store, { sealDir, publicKey: createPublicKey(k.publicKey), status: 'verified', now: new Date('2026-02-02T00:00:00Z') });
    },
    async write(rel, text) {
      const p = join(dir, rel);
      await mkdir(join(p, '..'), { recursive: true });
      await writeFile(p, text);
      return p;
    },
    async reopen() {
      await store.close();
      store = await createSqliteLineageStore({ path: storePath, synchronous: 'normal' });
      return store;
    },
    async dispose() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fx;
}
