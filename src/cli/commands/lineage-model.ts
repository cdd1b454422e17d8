/** provenant lineage model: declare a model and the base model it was fine-tuned from. */
import { registerModel } from '../../lineage/index.js';
import { optString, writeJson, type Command } from '../command.js';
import { withLineage } from './lineage-shared.js';

export const lineageModel: Command = {
  name: 'lineage model',
  summary: 'declare a model, optionally fine-tuned from a base model',
  usage: 'lineage model NAME [--base MODEL]',
  details: 'A model has one base; a chain cannot loop (LINEAGE_CYCLE).\nExit codes: 0 registered, 2 conflict, cycle or usage.',
  options: { base: { type: 'string', arg: 'MODEL', help: 'base model this one was fine-tuned from' } },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const name = inv.positionals[0] as string;
    const base = optString(inv, 'base');
    const res = await withLineage(inv, (store) => registerModel(store, { name, ...(base !== undefined ? { base } : {}) }));
    if (inv.json) writeJson(inv.io, { ok: true, model: name, ...(base !== undefined ? { base } : {}), inserted: res.inserted });
    else inv.io.stdout.write(`${res.inserted ? 'registered' : 'unchanged'} model ${name}${base !== undefined ? ` (fine-tuned from ${base})` : ''}\n`);
    return 0;
  },
};
