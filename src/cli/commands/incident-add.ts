/** provenant incident add: record an incident about a vendor (window), key, annotator or delivery. */
import { addIncident, parseSelector } from '../../lineage/index.js';
import { optString, requireString, writeJson, type Command } from '../command.js';
import { WINDOW_OPTIONS, withLineage } from './lineage-shared.js';

export const incidentAdd: Command = {
  name: 'incident add',
  summary: 'record an incident: a vendor breached in a window, a leaked key, an annotator, a delivery',
  usage: 'incident add ID --about SELECTOR [--from TIME] [--to TIME] [--description TEXT]',
  details: [
    'SELECTOR is vendor:NAME, key:KEYID (8+ hex digits, prefix allowed), annotator:ID or delivery:ID;',
    '--from/--to bound the window for vendor, key and annotator. Then: provenant impact incident:ID.',
    'Exit codes: 0 recorded (or already recorded), 2 bad selector, time, conflict or usage.',
  ].join('\n'),
  options: {
    about: { type: 'string', arg: 'SELECTOR', help: 'what the incident is about (vendor:NAME, key:ID, annotator:ID, delivery:ID)' },
    ...WINDOW_OPTIONS,
    description: { type: 'string', arg: 'TEXT', help: 'free text' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const id = inv.positionals[0] as string;
    const from = optString(inv, 'from');
    const to = optString(inv, 'to');
    const selector = parseSelector(requireString(inv, 'about', this), { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
    const description = optString(inv, 'description');
    const res = await withLineage(inv, (store) => addIncident(store, { id, selector, ...(description !== undefined ? { description } : {}) }));
    if (inv.json) writeJson(inv.io, { ok: true, incident: id, selector, inserted: res.inserted });
    else inv.io.stdout.write(`${res.inserted ? 'recorded' : 'unchanged'} incident ${id}; run: provenant impact incident:${id}\n`);
    return 0;
  },
};
