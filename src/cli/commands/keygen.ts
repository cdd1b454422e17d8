/** provenant keygen: writes an Ed25519 or P-256 key pair (PREFIX.key 0600 PKCS#8, PREFIX.pub SPKI). */
import { relative, resolve } from 'node:path';
import { InputError } from '../../core/index.js';
import { writeKeyPair, type KeyType } from '../../seal/index.js';
import { requireString, optString, writeJson, type Command } from '../command.js';

export const keygen: Command = {
  name: 'keygen',
  summary: 'create a signing key pair (Ed25519 by default, or P-256)',
  usage: 'keygen [--type ed25519|p256] --out PREFIX [--force]',
  details: 'Writes PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM); prints the key id\n(lowercase hex SHA-256 of the SPKI DER). Exit codes: 0 written, 2 bad usage or the files exist.',
  options: {
    type: { type: 'string', arg: 'TYPE', help: 'ed25519 (default) or p256' },
    out: { type: 'string', arg: 'PREFIX', help: 'path prefix of the two key files' },
    force: { type: 'boolean', help: 'overwrite existing key files' },
  },
  maxPositionals: 0,
  async run(inv) {
    const prefix = resolve(inv.io.cwd, requireString(inv, 'out', this));
    const type = optString(inv, 'type') ?? 'ed25519';
    if (type !== 'ed25519' && type !== 'p256') {
      throw new InputError('CLI_USAGE', `--type must be ed25519 or p256, not ${JSON.stringify(type)}`);
    }
    const res = await writeKeyPair(prefix, { type: type as KeyType, force: inv.values['force'] === true });
    if (inv.json) writeJson(inv.io, { ok: true, ...res });
    else inv.io.stdout.write(`wrote ${relativeTo(inv.io.cwd, res.keyPath)} (private, 0600) and ${relativeTo(inv.io.cwd, res.pubPath)}\nkey id ${res.keyId} (${res.type})\n`);
    return 0;
  },
};

function relativeTo(cwd: string, p: string): string {
  const r = relative(cwd, p);
  return r.startsWith('..') ? p : r;
}
