import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEAL_ERROR_CODES } from '../../src/seal/index.js';
import { LOG_SERVICE_ERROR_CODES, LOG_ERROR_CODES } from '../../src/tlog/index.js';
import { loadAllCommands } from '../../src/cli/commands/index.js';
import { LINEAGE_ERROR_CODES } from '../../src/lineage/index.js';
import { INTAKE_ERROR_CODES } from '../../src/intake/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('the README documents every error code and every command', async () => {
  const readme = await readFile(join(repo, 'README.md'), 'utf8');
  const codes = [...Object.keys(SEAL_ERROR_CODES), ...Object.values(LOG_SERVICE_ERROR_CODES), ...Object.values(LOG_ERROR_CODES), ...LINEAGE_ERROR_CODES, ...INTAKE_ERROR_CODES];
  const missing = codes.filter((c) => !readme.includes(c));
  assert.deepEqual(missing, []);
  for (const c of await loadAllCommands()) assert.ok(readme.includes(`provenant ${c.name}`), c.name);
});
