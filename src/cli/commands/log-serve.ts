/** `provenant log serve`: run a log on loopback (POST /add, GET /checkpoint, GET /tile/...). */
import { resolve } from 'node:path';
import { InputError } from '../../core/index.js';
import {
  createLogSequencer,
  defaultLogDir,
  parseVerifierKey,
  readLogDir,
  requestCosignatures,
  startLogServer,
  storedConsistencyProof,
  type Cosigner,
  type WitnessEndpoint,
} from '../../tlog/index.js';
import { optString, optStrings, writeJson, type Command, type Invocation } from '../command.js';
import { untilStopped } from './shared.js';
import { openSqliteLogDir } from '../../store/index.js';

// name+<8 hex>+base64(33 bytes) '@' URL: the key's base64 has a fixed length, so '@' cannot be inside it.
const WITNESS_SPEC = /^([^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{43}=)@(https?:\/\/\S+)$/;

/** Parses `--witness VKEY@URL`. */
export function parseWitnessSpec(spec: string): WitnessEndpoint {
  const m = WITNESS_SPEC.exec(spec);
  if (!m) throw new InputError('CLI_USAGE', `--witness must read VKEY@URL (witness verifier key, '@', its http(s) URL), got ${JSON.stringify(spec.slice(0, 120))}`);
  return { verifier: parseVerifierKey(m[1] as string), url: m[2] as string };
}

function intOption(inv: Invocation, name: string, def: number, min: number, max: number): number {
  const v = optString(inv, name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < min || n > max) throw new InputError('CLI_USAGE', `--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

export const logServeCommand: Command = {
  name: 'log serve',
  summary: 'serve a transparency log on 127.0.0.1 (add, checkpoint, tiles)',
  usage: 'log serve [--port N] [--dir DIR] [--witness VKEY@URL ...]',
  details: [
    'Endpoints: POST /add (body = log entry; answers {"index","treeSize"} once durably sequenced),',
    'GET /checkpoint, GET /tile/<L>/<N>[.p/<W>], GET /tile/entries/<N>[.p/<W>] (C2SP tlog-tiles).',
    'Entries are sequenced in batches of at most --max-batch entries or --max-delay-ms; every batch',
    'is one transaction with its signed checkpoint. With --witness, each checkpoint is sent to the',
    'witnesses (C2SP tlog-witness) and their cosignatures are attached. Stops on SIGINT/SIGTERM.',
    '',
    'Exit codes: 0 stopped cleanly, 2 no log in DIR or bad flags, 3 internal error.',
  ].join('\n'),
  options: {
    port: { type: 'string', arg: 'N', help: 'TCP port on 127.0.0.1 (default 7380; 0 = any free port)' },
    dir: { type: 'string', arg: 'DIR', help: 'log directory (default $PROVENANT_HOME/log)' },
    witness: { type: 'string', multiple: true, arg: 'VKEY@URL', help: 'witness to collect cosignatures from' },
    'max-batch': { type: 'string', arg: 'N', help: 'most entries per batch (default 256)' },
    'max-delay-ms': { type: 'string', arg: 'MS', help: 'longest wait before a batch is sequenced (default 20)' },
  },
  maxPositionals: 0,
  async run(inv: Invocation): Promise<number> {
    const port = intOption(inv, 'port', 7380, 0, 65535);
    const maxBatch = intOption(inv, 'max-batch', 256, 1, 65536);
    const maxDelayMs = intOption(inv, 'max-delay-ms', 20, 0, 1000);
    const witnesses = optStrings(inv, 'witness').map(parseWitnessSpec);
    const log = readLogDir(resolve(inv.io.cwd, optString(inv, 'dir') ?? defaultLogDir(inv.io.env)));
    const storage = await openSqliteLogDir(log.dir);
    const warn = (m: string): void => void inv.io.stderr.write(`warning: ${m}\n`);
    const known = new Map<string, number>();
    const cosign: Cosigner | undefined =
      witnesses.length === 0
        ? undefined
        : async (note) => {
            const r = await requestCosignatures(note, witnesses, (a, b) => storedConsistencyProof(storage, a, b), known);
            for (const f of r.failures) warn(`witness ${f}`);
            return r.note;
          };
    const sequencer = await createLogSequencer({ storage, signer: log.signer, maxBatch, maxDelayMs, onWarning: warn, ...(cosign ? { cosign } : {}) });
    const server = await startLogServer({ sequencer, storage, port });
    if (inv.json) writeJson(inv.io, { ok: true, origin: log.origin, url: server.url, verifierKey: log.verifierKey, treeSize: sequencer.checkpoint().size });
    else inv.io.stdout.write(`log ${log.origin} serving at ${server.url} (tree size ${sequencer.checkpoint().size})\nverifier key: ${log.verifierKey}\n`);
    await untilStopped();
    await server.close();
    await sequencer.close();
    await storage.close();
    return 0;
  },
};
