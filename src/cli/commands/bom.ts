/** provenant bom: the AI-BOM of a model (CycloneDX 1.6 ML-BOM or SPDX 3.0.1 AI + Dataset). */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../../core/index.js';
import { exportBom } from '../../lineage/index.js';
import { optString, writeJson, type Command } from '../command.js';
import { withLineage } from './lineage-shared.js';

export const bom: Command = {
  name: 'bom',
  summary: 'write the AI-BOM of a model: datasets and deliveries it was trained on, with digests and vendors',
  usage: 'bom MODEL [--format cyclonedx|spdx] [--out FILE]',
  details: 'Default format cyclonedx (1.6 ML-BOM); spdx is SPDX 3.0.1 JSON-LD with the AI and Dataset profiles.\nWithout --out the BOM is printed on stdout.\nExit codes: 0 written, 2 unknown model, unknown format or usage.',
  options: {
    format: { type: 'string', arg: 'FORMAT', help: 'cyclonedx (default) or spdx' },
    out: { type: 'string', arg: 'FILE', help: 'write the BOM to FILE' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const model = inv.positionals[0] as string;
    const doc = await withLineage(inv, (store) => exportBom(store, model, optString(inv, 'format') ?? 'cyclonedx'));
    const out = optString(inv, 'out');
    if (out === undefined) {
      writeJson(inv.io, doc);
      return 0;
    }
    const path = resolve(inv.io.cwd, out);
    try {
      await writeFile(path, JSON.stringify(doc, null, 2) + '\n');
    } catch (err) {
      throw new InputError('CLI_FILE_UNWRITABLE', `cannot write --out file (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); check the path`, { location: { file: path }, cause: err });
    }
    if (inv.json) writeJson(inv.io, { ok: true, model, out: path });
    else inv.io.stdout.write(`wrote the AI-BOM of ${model} to ${path}\n`);
    return 0;
  },
};
