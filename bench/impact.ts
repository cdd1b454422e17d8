/**
 * Impact benchmark (DESIGN §8: impact p95 < 1 s at 10^6 records, 10^4 datasets, 10^3 models).
 *
 * Builds a synthetic store: 100 deliveries × 10^4 records (10^6 record index rows) from 20
 * vendors; 10^4 datasets each holding records of 1–4 deliveries (content-match edges and exact
 * match groups, as derive would store them); 10^3 runs, each training one model on 5–15
 * datasets, a third of the models fine-tuned from an earlier one; 300 deployments. Then times
 * impact over varied selectors (vendor+window, key, delivery, incident) and prints p50/p95 with the
 * ratio to the 1 s goal, and derive throughput (records/s) on a 200,000-record JSONL mix, next
 * to the raw record-digest lookup it is built on (its baseline).
 *
 * Usage: npm run bench:impact (IMPACT_SCALE=0.1 for a quick run).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256, sha256Hex } from '../src/core/index.js';
import { computeImpact, deriveDataset, parseSelector, registerDeployment, registerModel, registerRun, addIncident, type DatasetFacts } from '../src/lineage/index.js';
import { createSqliteLineageStore, type DeliveryRecord, type RecordRef } from '../src/store/index.js';
import { table, timeIt } from './lib.js';
import { seededRandom } from '../src/core/index.js';

const SCALE = Number(process.env['IMPACT_SCALE'] ?? '1');
const DELIVERIES = 100;
const PER_DELIVERY = Math.round(10_000 * SCALE);
const DATASETS = Math.round(10_000 * SCALE);
const RUNS = Math.round(1_000 * SCALE);
const VENDORS = 20;


function recordText(d: number, i: number): unknown {
  return { prompt: `delivery ${d} question ${i}`, response: `answer ${i}` };
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-bench-impact-'));
  const store = await createSqliteLineageStore({ path: join(dir, 'provenant.db'), synchronous: 'normal' });
  const rand = seededRandom(42);
  try {
    const { recordDigest } = await import('../src/records/index.js');
    // ---- deliveries ---------------------------------------------------------------------
    const build = await timeIt(async () => {
      for (let d = 0; d < DELIVERIES; d++) {
        const vendor = `vendor-${d % VENDORS}`;
        const day = String(1 + (d % 28)).padStart(2, '0');
        const month = String(1 + Math.floor(d / 28)).padStart(2, '0');
        const delivery: DeliveryRecord = {
          id: `del-${d}`,
          vendor,
          client: `lab-${d % 3}`,
          status: 'verified',
          envelopeSha256: sha256Hex(`env-${d}`),
          recordRoot: sha256Hex(`root-${d}`),
          recordSetRoot: sha256Hex(`set-${d}`),
          recordCount: PER_DELIVERY,
          fileCount: 1,
          keyId: sha256Hex(`key-${vendor}`).slice(0, 32),
          sealedAt: `2026-${month}-${day}T00:00:00Z`,
          verifiedAt: `2026-${month}-${day}T01:00:00Z`,
          meta: { collection: { start: `2026-${month}-${day}T00:00:00Z`, end: `2026-${month}-${day}T12:00:00Z` } },
        };
        function* refs(): Generator<RecordRef> {
          for (let i = 0; i < PER_DELIVERY; i++) yield { digest: recordDigest(recordText(d, i)), file: 'data.jsonl', index: i };
        }
        await store.putDelivery(delivery, refs());
      }
      await store.syncDeliveries();
      // ---- datasets (as derive would store them) ----------------------------------------
      for (let s = 0; s < DATASETS; s++) {
        const k = 1 + Math.floor(rand() * 4);
        const picks = [...new Set(Array.from({ length: k }, () => Math.floor(rand() * DELIVERIES)))].sort((a, b) => a - b);
        const counts = picks.map(() => 50 + Math.floor(rand() * 200));
        const total = counts.reduce((x, y) => x + y, 0);
        const facts: DatasetFacts = {
          name: `ds-${s}`,
          recordRoot: sha256(`ds-root-${s}`).toString('hex'),
          recordSetRoot: sha256(`ds-set-${s}`).toString('hex'),
          recordCount: total + 10,
          fileCount: 1,
          matchedCount: total,
          deliveries: picks.map((p, i) => ({ deliveryId: `del-${p}`, count: counts[i] as number })),
          groups: picks.map((p, i) => ({ deliveries: [`del-${p}`], count: counts[i] as number })),
          derivedAt: '2026-05-01T00:00:00.000Z',
        };
        await store.putDataset(facts);
      }
      // ---- runs, models, fine-tunes, deployments ----------------------------------------
      for (let r = 0; r < RUNS; r++) {
        const n = 5 + Math.floor(rand() * 11);
        const datasets = [...new Set(Array.from({ length: n }, () => `ds-${Math.floor(rand() * DATASETS)}`))];
        await registerRun(store, { id: `run-${r}`, datasets, outputs: [`model-${r}`], start: '2026-05-02T00:00:00Z', end: '2026-05-03T00:00:00Z' });
        if (r > 0 && rand() < 1 / 3) await registerModel(store, { name: `model-${r}`, base: `model-${Math.floor(rand() * r)}` });
      }
      for (let i = 0; i < Math.max(3, Math.round(300 * SCALE)); i++) {
        await registerDeployment(store, { model: `model-${Math.floor(rand() * RUNS)}`, env: `env-${i % 5}`, from: `2026-06-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00Z`, name: `dep-${i}` });
      }
      await addIncident(store, { id: 'INC-1', selector: parseSelector('vendor:vendor-3', { from: '2026-01-01', to: '2026-03-01' }) });
    });
    console.log(`built: ${DELIVERIES} deliveries × ${PER_DELIVERY} records, ${DATASETS} datasets, ${RUNS} runs/models in ${(build.ms / 1000).toFixed(1)} s`);

    // ---- impact ---------------------------------------------------------------------------
    const selectors = [
      ...Array.from({ length: 10 }, (_, i) => parseSelector(`vendor:vendor-${i}`, { from: '2026-01-01', to: '2026-02-15' })),
      ...Array.from({ length: 10 }, (_, i) => parseSelector(`vendor:vendor-${i + 10}`)),
      ...Array.from({ length: 10 }, (_, i) => parseSelector(`key:${sha256Hex(`key-vendor-${i}`).slice(0, 16)}`)),
      ...Array.from({ length: 15 }, (_, i) => parseSelector(`delivery:del-${i * 6}`)),
      ...Array.from({ length: 5 }, () => parseSelector('incident:INC-1')),
    ];
    await computeImpact(store, selectors[0] ?? parseSelector('incident:INC-1')); // warm-up
    const times: number[] = [];
    const sizes: number[] = [];
    for (const s of selectors) {
      const t = await timeIt(() => computeImpact(store, s));
      times.push(t.ms);
      sizes.push(t.value.summary.datasets + t.value.summary.runs + t.value.summary.models);
    }
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    console.log(
      table([
        ['impact', 'queries', 'p50 ms', 'p95 ms', 'goal ms', 'p95 / goal', 'median hits'],
        ['', selectors.length, p50.toFixed(1), p95.toFixed(1), 1000, (p95 / 1000).toFixed(3), percentile(sizes, 50)],
      ]),
    );

    // ---- derive throughput, against the raw digest lookup -------------------------------
    const mixN = Math.round(200_000 * SCALE);
    const lines: string[] = [];
    for (let i = 0; i < mixN; i++) lines.push(JSON.stringify(recordText(i % DELIVERIES, Math.floor(i / DELIVERIES) % PER_DELIVERY)));
    await writeFile(join(dir, 'mix.jsonl'), lines.join('\n') + '\n');
    const digests = lines.map((l) => recordDigest(JSON.parse(l) as unknown));
    const lookup = await timeIt(async () => {
      let n = 0;
      for await (const _m of store.findRecordsMany(digests)) n++;
      return n;
    });
    const derive = await timeIt(() => deriveDataset({ path: join(dir, 'mix.jsonl'), name: 'bench-mix', store }));
    const rate = (ms: number) => Math.round(mixN / (ms / 1000));
    console.log(
      table([
        ['derive', 'records', 'ms', 'records/s', 'baseline: findRecordsMany records/s', 'ratio'],
        ['', mixN, derive.ms.toFixed(0), rate(derive.ms), rate(lookup.ms), (rate(derive.ms) / rate(lookup.ms)).toFixed(2)],
      ]),
    );
    console.log(`derive matched ${derive.value.dataset.matchedCount} of ${mixN} records from ${derive.value.deliveries.length} deliveries`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
