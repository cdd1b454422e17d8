/** provenant lineage import: OpenLineage RunEvent JSON lines → runs, datasets, models. */
import { resolve } from 'node:path';
import { importOpenLineage, LineageError } from '../../lineage/index.js';
import { optString, writeJson, type Command } from '../command.js';
import { readFlagFile } from './shared.js';
import { withLineage } from './lineage-shared.js';

export const lineageImport: Command = {
  name: 'lineage import',
  summary: 'import OpenLineage RunEvents (JSON lines) as runs, datasets and models',
  usage: 'lineage import FILE [--dataset-namespace NS] [--model-namespace NS]',
  details: [
    'Each line is a RunEvent. runId is the run; inputs/outputs in --dataset-namespace (default provenant)',
    'are Provenant datasets by name, other namespaces become declared datasets "NAMESPACE/NAME"; outputs in',
    '--model-namespace (default model) are models. START sets the start, COMPLETE/FAIL/ABORT the end.',
    'The whole file is parsed before anything is stored.',
    'Exit codes: 0 imported, 2 malformed event (LINEAGE_OPENLINEAGE_INVALID names the line) or usage.',
  ].join('\n'),
  options: {
    'dataset-namespace': { type: 'string', arg: 'NS', help: 'namespace whose datasets are Provenant datasets (default provenant)' },
    'model-namespace': { type: 'string', arg: 'NS', help: 'namespace whose outputs are models (default model)' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const file = resolve(inv.io.cwd, inv.positionals[0] as string);
    const bytes = await readFlagFile(file, 'OpenLineage');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (err) {
      throw new LineageError('LINEAGE_OPENLINEAGE_INVALID', 'file is not UTF-8; re-export it as UTF-8 JSON lines', { location: { file }, cause: err });
    }
    const dsNs = optString(inv, 'dataset-namespace');
    const modelNs = optString(inv, 'model-namespace');
    const res = await withLineage(inv, (store) =>
      importOpenLineage(store, text, { file, ...(dsNs !== undefined ? { datasetNamespace: dsNs } : {}), ...(modelNs !== undefined ? { modelNamespace: modelNs } : {}) }),
    );
    if (inv.json) writeJson(inv.io, { ok: true, ...res });
    else inv.io.stdout.write(`imported ${res.runs} run(s) (${res.inserted} new or extended): ${res.models.length} model(s), ${res.datasets.length} dataset(s)\n`);
    return 0;
  },
};
