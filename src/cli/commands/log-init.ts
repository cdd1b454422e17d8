/** `provenant log init`: create a transparency log (store + Ed25519 note key) and print its verifier key. */
import { resolve } from 'node:path';
import { openSqliteLogDir } from '../../store/index.js';
import { defaultLogDir, initLogDir } from '../../tlog/index.js';
import { optString, requireString, writeJson, type Command, type Invocation } from '../command.js';


export const logInitCommand: Command = {
  name: 'log init',
  summary: 'create a transparency log and print its verifier key',
  usage: 'log init --origin ORIGIN [--dir DIR]',
  details: [
    'Writes DIR/log.key (private signer key, mode 0600), DIR/log.vkey and DIR/log.db, and publishes',
    'the empty checkpoint. DIR defaults to $PROVENANT_HOME/log (PROVENANT_HOME defaults to ./.provenant).',
    'The origin names the log in every checkpoint, e.g. example.com/provenant-log (no spaces, no +).',
    'Give the printed verifier key to verifiers: provenant verify --log-key KEY.',
    '',
    'Exit codes: 0 created, 2 bad origin or a log already exists in DIR, 3 internal error.',
  ].join('\n'),
  options: {
    origin: { type: 'string', arg: 'ORIGIN', help: 'checkpoint origin line, also the key name' },
    dir: { type: 'string', arg: 'DIR', help: 'log directory (default $PROVENANT_HOME/log)' },
  },
  maxPositionals: 0,
  async run(inv: Invocation): Promise<number> {
    const origin = requireString(inv, 'origin', this);
    const dir = resolve(inv.io.cwd, optString(inv, 'dir') ?? defaultLogDir(inv.io.env));
    const log = await initLogDir({ dir, origin, openStorage: openSqliteLogDir });
    if (inv.json) {
      writeJson(inv.io, { ok: true, origin: log.origin, dir: log.dir, verifierKey: log.verifierKey });
    } else {
      inv.io.stderr.write(`created log ${log.origin} in ${log.dir}\nverifier key (give it to verifiers):\n`);
      inv.io.stdout.write(`${log.verifierKey}\n`);
    }
    return 0;
  },
};
