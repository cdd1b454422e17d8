/** `provenant log submit`: log an existing seal (e.g. after seal --log could not reach the log). */
import { resolve } from 'node:path';
import { openSqliteLogDir } from '../../store/index.js';
import { isLogUrl, logSeal } from '../../tlog/index.js';
import { requireString, writeJson, type Command } from '../command.js';

export const logSubmitCommand: Command = {
  name: 'log submit',
  summary: 'log an existing seal in a transparency log and store the receipt in it',
  usage: 'log submit SEAL_DIR --log URL|DIR',
  details: [
    'Builds the digest-only entry of the seal (envelope, subjects, record root, salted vendor/client',
    'commitments), submits it, waits for a checkpoint that includes it, and writes SEAL_DIR/log.tlog-proof.',
    'Re-running reuses the salts in SEAL_DIR/log-entry.json, so the entry stays the same.',
    'Exit codes: 0 logged, 2 bad input or usage, 3 the log could not be reached or refused the entry.',
  ].join('\n'),
  options: {
    log: { type: 'string', arg: 'URL|DIR', help: 'log server URL or local log directory' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const sealDir = resolve(inv.io.cwd, inv.positionals[0] as string);
    const target = requireString(inv, 'log', this);
    const res = await logSeal({ sealDir, target: isLogUrl(target) ? target : resolve(inv.io.cwd, target), openStorage: openSqliteLogDir });
    if (inv.json) writeJson(inv.io, { ok: true, ...res });
    else inv.io.stdout.write(`logged at index ${res.index} (tree size ${res.treeSize}); receipt ${res.receiptPath}\n`);
    return 0;
  },
};
