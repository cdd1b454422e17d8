/** provenant vendor pause: stop taking a vendor's deliveries (intake rejects them; impact marks runs). */
import { pauseVendor, resumeVendor } from '../../lineage/index.js';
import { optString, writeJson, type Command } from '../command.js';
import { withLineage } from './lineage-shared.js';

export const vendorPause: Command = {
  name: 'vendor pause',
  summary: 'pause a vendor: intake rejects its deliveries and impact marks runs that used them',
  usage: 'vendor pause NAME [--reason TEXT] [--force] [--resume]',
  details: 'Exit codes: 0 paused (or resumed), 2 unknown vendor (without --force) or usage.',
  options: {
    reason: { type: 'string', arg: 'TEXT', help: 'why (shown in reports)' },
    force: { type: 'boolean', help: 'pause a vendor with no registered delivery yet' },
    resume: { type: 'boolean', help: 'lift the pause instead' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const vendor = inv.positionals[0] as string;
    const reason = optString(inv, 'reason');
    const resume = inv.values['resume'] === true;
    await withLineage(inv, (store) => (resume ? resumeVendor(store, vendor) : pauseVendor(store, vendor, { force: inv.values['force'] === true, ...(reason !== undefined ? { reason } : {}) })));
    if (inv.json) writeJson(inv.io, { ok: true, vendor, paused: !resume });
    else inv.io.stdout.write(`${resume ? 'resumed' : 'paused'} vendor ${vendor}\n`);
    return 0;
  },
};
