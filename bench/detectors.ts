/**
 * Per-detector throughput on one thread (a profiling aid for the inspect benchmark): reads the
 * inspect corpus (or the files given), builds every record's view once, then times each detector
 * alone over all views (`inspect` for record detectors, `features` then `reduce` for dataset
 * detectors). The baseline printed beside it is `JSON.parse` of the same lines, timed in the same
 * run, so the figures can be compared across noisy runs as ratios; the records layer's own read
 * (decode, strict parse) is timed too.
 *
 *   npm run bench:detectors                 (corpus round r00..r01 of bench/.data/inspect-corpus)
 *   node build/bench/detectors.js --rounds 4 --only pii,secrets
 *   node build/bench/detectors.js FILE...
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDetector, featureList, recordView, type Detector, type RecordView } from '../src/inspect/index.js';
import { readRecords } from '../src/records/index.js';
import { REPO, table } from './lib.js';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const rounds = Number(opt('rounds') ?? 2);
const only = opt('only')?.split(',');
const ids = only ?? ['schema', 'secrets', 'pii', 'unicode', 'injection', 'duplicates', 'poisoning'];

function corpusFiles(): string[] {
  const dir = resolve(REPO, 'bench/.data/inspect-corpus');
  const out: string[] = [];
  for (const r of readdirSync(dir).sort().slice(0, rounds)) {
    for (const f of readdirSync(join(dir, r)).sort()) out.push(join(dir, r, f));
  }
  if (out.length === 0) throw new Error('no corpus: run `npm run bench:inspect` once to build bench/.data/inspect-corpus');
  return out;
}

const files = argv.length > 0 ? argv.map((f) => resolve(f)) : corpusFiles();
let bytes = 0;
// Lines are decoded one by one, as the records layer does (a line holding no character above
// U+00FF stays a one-byte string, which regular expressions and charCodeAt loops scan faster).
const lines: { file: string; index: number; text: string }[] = [];
for (const f of files) {
  const buf = readFileSync(f);
  bytes += buf.length;
  for (let start = 0, index = 0; start < buf.length; index++) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl === -1 ? buf.length : nl;
    if (end > start) lines.push({ file: f, index, text: buf.toString('utf8', start, end) });
    start = end + 1;
  }
}

let t0 = performance.now();
const values = lines.map((l) => JSON.parse(l.text) as unknown);
const parseMs = performance.now() - t0;
t0 = performance.now();
let readCount = 0;
for (const f of files) for await (const r of readRecords(f, { file: f })) readCount += r.index >= 0 ? 1 : 0;
const readMs = performance.now() - t0;
t0 = performance.now();
const views: RecordView[] = values.map((value, i) => recordView({ file: (lines[i] as { file: string }).file, index: i, line: i + 1, value }, undefined));
const viewMs = performance.now() - t0;

const rows: (string | number)[][] = [['detector', 'ms', 'MB/s', 'ms ÷ JSON.parse ms', 'findings']];
const mbs = (ms: number): string => (bytes / 1e6 / (ms / 1000)).toFixed(1);
rows.push(['JSON.parse (baseline)', parseMs.toFixed(0), mbs(parseMs), '1.00', '-']);
rows.push([`read (records layer, ${readCount} records)`, readMs.toFixed(0), mbs(readMs), (readMs / parseMs).toFixed(2), '-']);
rows.push(['record views (fields)', viewMs.toFixed(0), mbs(viewMs), (viewMs / parseMs).toFixed(2), '-']);
for (const id of ids) {
  const d: Detector = createDetector(id);
  t0 = performance.now();
  let findings = 0;
  if (d.kind === 'record') {
    for (const v of views) findings += d.inspect(v).length;
  } else {
    const items = views.map((v) => ({ ref: { file: v.file, index: v.index }, features: d.features(v) }));
    const tf = performance.now() - t0;
    const t1 = performance.now();
    findings = [...d.reduce(featureList(items.filter((x) => x.features !== undefined)))].length;
    rows.push([`${id} (features)`, tf.toFixed(0), mbs(tf), (tf / parseMs).toFixed(2), '-']);
    rows.push([`${id} (reduce)`, (performance.now() - t1).toFixed(0), '-', '-', '-']);
  }
  const ms = performance.now() - t0;
  rows.push([id, ms.toFixed(0), mbs(ms), (ms / parseMs).toFixed(2), findings]);
}
console.log(`${files.length} files, ${(bytes / 1e6).toFixed(1)} MB, ${views.length.toLocaleString('en-US')} records, one thread`);
console.log(table(rows));
