/** provenant lineage derive: register a dataset and link it to the deliveries whose records it holds. */
import { resolve } from 'node:path';
import { deriveDataset } from '../../lineage/index.js';
import { createScanPool } from '../../records/index.js';
import { requireString, writeJson, type Command } from '../command.js';
import { FORMAT_OPTION, formatFlag } from './shared.js';
import { withLineage } from './lineage-shared.js';

export const lineageDerive: Command = {
  name: 'lineage derive',
  summary: 'register a dataset (e.g. a training mix) and find the deliveries its records come from',
  usage: 'lineage derive PATH --name NAME [--format FORMAT]',
  details: [
    'Reads every record of PATH (file or folder, any supported format), computes its record roots and',
    'looks every record digest up in the store: the dataset is linked to each delivery it holds records',
    'of, with the count (content-match edges). Conversion, filtering and reordering do not matter.',
    'Re-running on the same data changes nothing; other data under the same name is LINEAGE_CONFLICT.',
    'Exit codes: 0 registered (or already registered), 2 bad input, conflict or usage.',
  ].join('\n'),
  options: {
    name: { type: 'string', arg: 'NAME', help: 'dataset name' },
    format: FORMAT_OPTION,
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const path = resolve(inv.io.cwd, inv.positionals[0] as string);
    const name = requireString(inv, 'name', this);
    const format = formatFlag(inv);
    const pool = createScanPool();
    try {
      const res = await withLineage(inv, (store) => deriveDataset({ path, name, store, pool, ...(format !== undefined ? { format } : {}) }));
      const d = res.dataset;
      if (inv.json) {
        writeJson(inv.io, {
          ok: true,
          inserted: res.inserted,
          dataset: { name: d.name, recordRoot: d.recordRoot, recordSetRoot: d.recordSetRoot, records: d.recordCount, files: d.fileCount, matched: d.matchedCount, unmatched: res.unmatched },
          deliveries: res.deliveries,
        });
      } else {
        inv.io.stdout.write(
          [
            `${res.inserted ? 'registered' : 'already registered'} dataset ${d.name}: ${d.recordCount.toLocaleString('en-US')} records in ${d.fileCount} file(s)`,
            `  recordSetRoot ${d.recordSetRoot}`,
            `  ${d.matchedCount.toLocaleString('en-US')} records from ${res.deliveries.length} registered deliveries, ${res.unmatched.toLocaleString('en-US')} of unknown origin`,
            ...res.deliveries.map((x) => `  ${x.deliveryId} (${x.vendor} → ${x.client}): ${x.count.toLocaleString('en-US')} records (${(x.share * 100).toFixed(1)}%)`),
            '',
          ].join('\n'),
        );
      }
      return 0;
    } finally {
      await pool.close();
    }
  },
};
