import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_BUNDLE_BYTES, readSealFile } from './io.js';

test('a seal file larger than its bound is refused without being read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'seal-io-'));
  const p = join(dir, 'bundle.sigstore.json');
  await writeFile(p, '');
  await truncate(p, MAX_BUNDLE_BYTES + 1); // sparse: costs no disk
  await assert.rejects(readSealFile(p, 'bundle', MAX_BUNDLE_BYTES), (e: { code?: string; kind?: string }) => e.code === 'SEAL_FILE_TOO_LARGE' && e.kind === 'verification');
  await assert.rejects(readSealFile(join(dir, 'nope'), 'bundle', MAX_BUNDLE_BYTES), { code: 'SEAL_INPUT_MISSING' });
  await writeFile(p, '{}');
  assert.equal((await readSealFile(p, 'bundle', 2)).toString(), '{}');
});
