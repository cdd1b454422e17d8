/** provenant vendor report: deliveries, keys, findings, incidents, assurance; per-model vendor shares and HHI. */
import { vendorReport } from '../../lineage/index.js';
import { writeJson, type Command } from '../command.js';
import { withLineage } from './lineage-shared.js';

export const vendorReportCommand: Command = {
  name: 'vendor report',
  summary: 'per vendor: deliveries, keys, findings rate, incidents, assurance level; per model: vendor shares and HHI',
  usage: 'vendor report',
  details: [
    'Assurance levels (every delivery must meet a level and those below): 0 none (no delivery, paused, or',
    'named by an incident), 1 signed, 2 logged (verified log receipt), 3 witnessed (cosigned checkpoint),',
    '4 assured (pseudonymous annotator ids and an accept inspection verdict).',
    'HHI: sum of squared vendor shares in percent (0–10,000); > 1,800 is highly concentrated.',
    'Exit codes: 0, 2 usage.',
  ].join('\n'),
  options: {},
  maxPositionals: 0,
  async run(inv) {
    const r = await withLineage(inv, (store) => vendorReport(store));
    if (inv.json) writeJson(inv.io, r);
    else {
      const out: string[] = ['vendors:'];
      for (const v of r.vendors) {
        out.push(
          `  ${v.vendor}${v.paused ? ` [PAUSED ${v.paused.at}${v.paused.reason ? `: ${v.paused.reason}` : ''}]` : ''}: ${v.deliveries} deliveries, ${v.records.toLocaleString('en-US')} records, ${v.keys.length} key(s), assurance ${v.assurance.level} ${v.assurance.name}${v.assurance.missing ? ` (next: ${v.assurance.missing})` : ''}`,
          `    findings ${v.findingsRate === null ? 'n/a (not inspected)' : `${v.findingsRate.toFixed(2)} per inspected record`}${v.incidents.length ? `, incidents ${v.incidents.join(', ')}` : ''}`,
        );
      }
      out.push('models:');
      for (const m of r.models) {
        out.push(`  ${m.model}: HHI ${m.hhi ?? 'n/a'}${m.concentration ? ` (${m.concentration})` : ''}; ${m.vendors.map((v) => `${v.vendor} ${(v.share * 100).toFixed(1)}%`).join(', ') || 'no attributed records'}${m.unattributed ? `; ${m.unattributed} unattributed` : ''}`);
      }
      inv.io.stdout.write(out.join('\n') + '\n');
    }
    return 0;
  },
};
