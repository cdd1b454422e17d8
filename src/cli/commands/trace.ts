/** provenant trace: which deliveries and clients the records of a leaked dump came from. */
import { resolve } from 'node:path';
import { traceDump } from '../../lineage/index.js';
import { createScanPool } from '../../records/index.js';
import { writeJson, type Command } from '../command.js';
import { FORMAT_OPTION, formatFlag } from './shared.js';
import { withLineage } from './lineage-shared.js';

export const trace: Command = {
  name: 'trace',
  summary: 'map the records of a leaked dump to the deliveries and clients they came from',
  usage: 'trace DUMP [--format FORMAT]',
  details: 'DUMP is a file or folder in any supported format.\nExit codes: 0 no record matched, 1 records matched (clients to notify), 2 bad input or usage.',
  options: { format: FORMAT_OPTION },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const path = resolve(inv.io.cwd, inv.positionals[0] as string);
    const format = formatFlag(inv);
    const pool = createScanPool();
    try {
      const t = await withLineage(inv, (store) => traceDump(store, path, { pool, ...(format !== undefined ? { format } : {}) }));
      if (inv.json) writeJson(inv.io, t);
      else {
        inv.io.stdout.write(
          [
            `${t.records.toLocaleString('en-US')} records: ${t.matched.toLocaleString('en-US')} from registered deliveries, ${t.unmatched.toLocaleString('en-US')} unknown`,
            ...(t.clients.length ? ['clients to notify:', ...t.clients.map((c) => `  ${c.client}: ${c.records} records (${c.deliveries.join(', ')})`)] : []),
            ...(t.deliveries.length ? ['deliveries:', ...t.deliveries.map((d) => `  ${d.deliveryId} (${d.vendor} → ${d.client}): ${d.records} records`)] : []),
            '',
          ].join('\n'),
        );
      }
      return t.matched > 0 ? 1 : 0;
    } finally {
      await pool.close();
    }
  },
};
