/**
 * Where the public spec vectors and data sets the tests read live: $PROVENANT_SHARED, else the
 * copy in test/shared/ (the files the tests need, with their SOURCES.md), so `npm test` works in
 * any clone. Benchmarks read the full ../shared beside the repository (bench/lib.ts). Never read by
 * the tool itself.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this module holding package.json and src/. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Absolute path inside the shared folder, e.g. sharedPath('data', 'gsm8k-train.jsonl'). */
export function sharedPath(...parts: string[]): string {
  const env = process.env['PROVENANT_SHARED'];
  return join(env !== undefined && env !== '' ? env : resolve(repoRoot(), 'test', 'shared'), ...parts);
}
