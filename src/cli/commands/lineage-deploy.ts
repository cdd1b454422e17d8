/** provenant lineage deploy: declare that a model served in an environment during a window. */
import { registerDeployment } from '../../lineage/index.js';
import { optString, requireString, writeJson, type Command } from '../command.js';
import { withLineage } from './lineage-shared.js';

export const lineageDeploy: Command = {
  name: 'lineage deploy',
  summary: 'declare a deployment of a model to an environment, from a time (to a time)',
  usage: 'lineage deploy MODEL --env ENV --from TIME [--to TIME] [--name NAME]',
  details: 'Name defaults to MODEL@ENV@FROM. Re-running with --to closes an open deployment.\nExit codes: 0 registered, 2 unknown model, conflict, bad time or usage.',
  options: {
    env: { type: 'string', arg: 'ENV', help: 'environment (prod, staging...)' },
    from: { type: 'string', arg: 'TIME', help: 'live from (RFC 3339)' },
    to: { type: 'string', arg: 'TIME', help: 'live until (RFC 3339); absent: still live' },
    name: { type: 'string', arg: 'NAME', help: 'deployment name' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const model = inv.positionals[0] as string;
    const env = requireString(inv, 'env', this);
    const from = requireString(inv, 'from', this);
    const to = optString(inv, 'to');
    const name = optString(inv, 'name');
    const res = await withLineage(inv, (store) => registerDeployment(store, { model, env, from, ...(to !== undefined ? { to } : {}), ...(name !== undefined ? { name } : {}) }));
    if (inv.json) writeJson(inv.io, { ok: true, deployment: res.name, inserted: res.inserted });
    else inv.io.stdout.write(`${res.inserted ? 'registered' : 'unchanged'} deployment ${res.name}\n`);
    return 0;
  },
};
