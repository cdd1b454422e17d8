/** provenant lineage run: declare a training run (inputs → output model, start/end). */
import { registerRun } from '../../lineage/index.js';
import { InputError } from '../../core/index.js';
import { optString, optStrings, writeJson, type Command } from '../command.js';
import { withLineage } from './lineage-shared.js';

export const lineageRun: Command = {
  name: 'lineage run',
  summary: 'declare a training run: input datasets or deliveries, output model, start and end',
  usage: 'lineage run ID (--dataset NAME | --delivery ID)... --output MODEL [--start TIME] [--end TIME]',
  details: [
    'Inputs must be registered (lineage derive, or a verified delivery). Declaring the same run again',
    'adds inputs or completes its times; a different start or end is LINEAGE_CONFLICT.',
    'Exit codes: 0 registered, 2 unknown input, conflict, bad time or usage.',
  ].join('\n'),
  options: {
    dataset: { type: 'string', multiple: true, arg: 'NAME', help: 'input dataset' },
    delivery: { type: 'string', multiple: true, arg: 'ID', help: 'input delivery' },
    output: { type: 'string', multiple: true, arg: 'MODEL', help: 'model the run produced' },
    start: { type: 'string', arg: 'TIME', help: 'run start (RFC 3339)' },
    end: { type: 'string', arg: 'TIME', help: 'run end (RFC 3339)' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const id = inv.positionals[0] as string;
    if (optStrings(inv, 'output').length === 0) throw new InputError('CLI_USAGE', `missing --output: usage: provenant ${this.usage}`);
    const start = optString(inv, 'start');
    const end = optString(inv, 'end');
    const res = await withLineage(inv, (store) =>
      registerRun(store, { id, datasets: optStrings(inv, 'dataset'), deliveries: optStrings(inv, 'delivery'), outputs: optStrings(inv, 'output'), ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) }),
    );
    if (inv.json) writeJson(inv.io, { ok: true, run: res.id, inserted: res.inserted });
    else inv.io.stdout.write(`${res.inserted ? 'registered' : 'unchanged'} run ${res.id}\n`);
    return 0;
  },
};
