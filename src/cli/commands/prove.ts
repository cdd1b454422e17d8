/** provenant prove: an RFC 9162 inclusion proof of one record against the signed recordRoot. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../../core/index.js';
import { proveRecord } from '../../seal/index.js';
import { optString, requireString, type Command } from '../command.js';
import { readFlagFile } from './shared.js';

export const prove: Command = {
  name: 'prove',
  summary: 'print a Merkle inclusion proof of one record against the signed recordRoot',
  usage: 'prove PATH --seal DIR --file F --index N [--key PUB] [--out FILE]',
  details: [
    'Prints (or writes to --out) the proof as JSON: {file, index, line|row, deliveryId, leafIndex, treeSize,',
    'recordDigest, recordRoot, proof[]}. With --key the bundle signature is checked first.',
    'Check it with provenant verify-record. Exit codes: 0 proof written, 1 the record no longer matches',
    'its seal, 2 bad input or usage (unknown file, index out of range).',
  ].join('\n'),
  options: {
    seal: { type: 'string', arg: 'DIR', help: 'seal directory' },
    file: { type: 'string', arg: 'F', help: 'file inside the delivery, as named in the statement' },
    index: { type: 'string', arg: 'N', help: '0-based record index within that file' },
    key: { type: 'string', arg: 'PUB', help: "vendor's public key: verify the bundle before proving" },
    out: { type: 'string', arg: 'FILE', help: 'write the proof here instead of stdout' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const indexText = requireString(inv, 'index', this);
    if (!/^(0|[1-9]\d{0,15})$/.test(indexText) || !Number.isSafeInteger(Number(indexText))) {
      throw new InputError('CLI_USAGE', `--index must be a non-negative integer, not ${JSON.stringify(indexText)}`);
    }
    const keyPath = optString(inv, 'key');
    const proof = await proveRecord({
      path: resolve(inv.io.cwd, inv.positionals[0] as string),
      seal: resolve(inv.io.cwd, requireString(inv, 'seal', this)),
      file: requireString(inv, 'file', this),
      index: Number(indexText),
      ...(keyPath !== undefined ? { key: await readFlagFile(resolve(inv.io.cwd, keyPath), '--key') } : {}),
    });
    const text = JSON.stringify(proof, null, 2) + '\n';
    const out = optString(inv, 'out');
    if (out !== undefined) {
      await writeFile(resolve(inv.io.cwd, out), text);
      if (!inv.json) inv.io.stderr.write(`proof of ${proof.file} record ${proof.index} written to ${out}\n`);
    }
    if (out === undefined || inv.json) inv.io.stdout.write(text);
    return 0;
  },
};
