/** `provenant log witness`: run a C2SP tlog-witness on 127.0.0.1 for the given logs. */
import { join, resolve } from 'node:path';
import { createSqliteLogStorage } from '../../store/index.js';
import { createWitness, defaultWitnessDir, parseVerifierKey, readOrCreateWitnessKey, startWitnessServer, WITNESS_DB_FILE } from '../../tlog/index.js';
import { optString, optStrings, requireString, writeJson, type Command, type Invocation } from '../command.js';
import { untilStopped } from './shared.js';
import { InputError } from '../../core/index.js';

export const logWitnessCommand: Command = {
  name: 'log witness',
  summary: 'run a transparency-log witness (C2SP tlog-witness) on 127.0.0.1',
  usage: 'log witness --log-key VKEY [--log-key VKEY ...] [--port N] [--dir DIR] [--name NAME]',
  details: [
    'Serves POST /add-checkpoint: cosigns (tlog-cosignature v1) a checkpoint signed by a known log key',
    'only when it is consistent with the last one it cosigned for that origin, which it stores',
    'atomically in DIR/witness.db. DIR (default $PROVENANT_HOME/witness) also holds its key,',
    'witness.key (created on first run, mode 0600); its verifier key is printed at start.',
    'Answers: 200 cosignature, 400 malformed, 403 bad log signature, 404 unknown log,',
    '409 old size is not the cosigned size (body: that size), 422 inconsistent. Stops on SIGINT/SIGTERM.',
    '',
    'Exit codes: 0 stopped cleanly, 2 bad key or flags, 3 internal error.',
  ].join('\n'),
  options: {
    'log-key': { type: 'string', multiple: true, arg: 'VKEY', help: 'verifier key of a log to witness (its name is the origin)' },
    port: { type: 'string', arg: 'N', help: 'TCP port on 127.0.0.1 (default 7381; 0 = any free port)' },
    dir: { type: 'string', arg: 'DIR', help: 'witness directory (default $PROVENANT_HOME/witness)' },
    name: { type: 'string', arg: 'NAME', help: 'witness key name on first run (default provenant-witness)' },
  },
  maxPositionals: 0,
  async run(inv: Invocation): Promise<number> {
    requireString(inv, 'log-key', this);
    const logs = optStrings(inv, 'log-key').map((k) => parseVerifierKey(k));
    const portText = optString(inv, 'port') ?? '7381';
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) throw new InputError('CLI_USAGE', `--port must be 0–65535, got ${JSON.stringify(portText)}`);
    const dir = resolve(inv.io.cwd, optString(inv, 'dir') ?? defaultWitnessDir(inv.io.env));
    const signer = readOrCreateWitnessKey(dir, optString(inv, 'name') ?? 'provenant-witness');
    const storage = await createSqliteLogStorage({ path: join(dir, WITNESS_DB_FILE) });
    const server = await startWitnessServer(createWitness({ storage, signer, logs }), { port: Number(portText) });
    if (inv.json) writeJson(inv.io, { ok: true, url: server.url, verifierKey: signer.verifierKey, logs: logs.map((l) => l.name) });
    else inv.io.stdout.write(`witness ${signer.name} serving at ${server.url} for ${logs.map((l) => l.name).join(', ')}\nwitness verifier key: ${signer.verifierKey}\n`);
    await untilStopped();
    await server.close();
    await storage.close();
    return 0;
  },
};
