/** provenant inspect: inspects a delivery's records, decides a verdict by policy, writes reports and an optional redacted copy. */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../../core/index.js';
import { RECORD_FORMATS, type RecordFormat } from '../../records/index.js';
import { DETECTOR_IDS, inspectDelivery, loadPolicy, parseFieldsFlag, redactDelivery, type DetectorId, type InspectReport } from '../../inspect/index.js';
import { renderHtml, renderSarif, renderText } from '../../inspect/report/index.js';
import { optString, optStrings, writeJson, type Command, type Invocation } from '../command.js';
import { createProgress } from '../progress.js';

const REPORT_FORMATS = ['text', 'json', 'sarif', 'html'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

function reportFormat(inv: Invocation): ReportFormat {
  const f = optString(inv, 'format');
  if (f !== undefined && !(REPORT_FORMATS as readonly string[]).includes(f)) {
    throw new InputError('CLI_USAGE', `--format must be one of ${REPORT_FORMATS.join(', ')}, not ${JSON.stringify(f)}`);
  }
  if (inv.json && f !== undefined && f !== 'json') throw new InputError('CLI_USAGE', `--json means --format json; drop one of --json and --format ${f}`);
  return (f as ReportFormat | undefined) ?? (inv.json ? 'json' : 'text');
}

function inputFormat(inv: Invocation): RecordFormat | undefined {
  const f = optString(inv, 'input-format');
  if (f === undefined) return undefined;
  if (!(RECORD_FORMATS as readonly string[]).includes(f)) throw new InputError('CLI_USAGE', `--input-format must be one of ${RECORD_FORMATS.join(', ')}, not ${JSON.stringify(f)}`);
  return f as RecordFormat;
}

function detectorsFlag(inv: Invocation): DetectorId[] | undefined {
  const s = optString(inv, 'detectors');
  if (s === undefined) return undefined;
  const ids = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (ids.length === 0) throw new InputError('CLI_USAGE', '--detectors is empty; name at least one detector');
  for (const id of ids) {
    if (!(DETECTOR_IDS as readonly string[]).includes(id)) throw new InputError('INSPECT_DETECTOR_UNKNOWN', `unknown detector ${JSON.stringify(id)} in --detectors; use one of ${DETECTOR_IDS.join(', ')}`);
  }
  return ids as DetectorId[];
}

function workersFlag(inv: Invocation): number | undefined {
  const s = optString(inv, 'workers');
  if (s === undefined) return undefined;
  if (!/^\d{1,3}$/.test(s) || Number(s) > 64) throw new InputError('CLI_USAGE', `--workers must be an integer 0..64, not ${JSON.stringify(s)}`);
  return Number(s);
}

function maxFindingsFlag(inv: Invocation): number | undefined {
  const s = optString(inv, 'max-findings-per-rule');
  if (s === undefined) return undefined;
  if (!/^\d{1,9}$/.test(s)) throw new InputError('CLI_USAGE', `--max-findings-per-rule must be an integer 0..999999999 (0 = list every finding), not ${JSON.stringify(s)}`);
  return Number(s);
}

function render(report: InspectReport, format: ReportFormat, color: boolean): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'sarif':
      return renderSarif(report);
    case 'html':
      return renderHtml(report);
    case 'text':
      return renderText(report, { color });
  }
}

/** Writes `text` to `path` atomically: a temporary sibling, then rename. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(tmp, text, { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new InputError('CLI_OUT_UNWRITABLE', `cannot write the report (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); check --out`, { location: { file: path }, cause: err });
  }
}

export const inspect: Command = {
  name: 'inspect',
  summary: 'inspect a delivery for poisoning, secrets, PII, hidden text, contamination; decide by policy',
  usage: 'inspect PATH... [--benchmark FILE]... [--baseline DIR|FILE] [--policy FILE] [--fields role=field,...] [--detectors id,...] [--format text|json|sarif|html] [--out FILE] [--max-findings-per-rule N] [--json] [--redact-to DIR] [--distributed REDIS_URL [--queue NAME] [--prefix P] [--shard-bytes N]]',
  details: [
    `Detectors: ${DETECTOR_IDS.join(', ')} (contamination runs with --benchmark, drift with --baseline).`,
    'Field roles: prompt, response, chosen, rejected, label, text, messages; detected for common layouts,',
    'or given with --fields, e.g. --fields prompt=instruction,response=output.',
    'The policy (default, or a YAML/JSON file with --policy) turns findings into a verdict:',
    'accept, review, quarantine or reject. Reports never show a full secret or PII value.',
    '--out writes the report (in --format) atomically; the terminal still gets the summary.',
    '--max-findings-per-rule N lists at most N findings of each detector rule (default 1000, 0 = all);',
    'counts, reasons and the verdict still cover every finding, and the report names the cut rules.',
    '--redact-to DIR writes a copy of the delivery with secrets and PII replaced by typed placeholders.',
    '--distributed redis://HOST:PORT splits the delivery into shards (files; newline-aligned ranges of large',
    "JSONL/text files) on a BullMQ queue for 'provenant worker' processes, which must see the delivery at",
    'the same absolute path; the report is the same as without it.',
    'Dataset detectors\' features wait on disk between reading and the final reduce, in a provenant-spill-*',
    'directory under TMPDIR (about 1 KB per record; removed at the end): point TMPDIR at a disk with room.',
    'Exit codes: 0 accept, 1 review/quarantine/reject, 2 bad input (malformed record, bad policy) or usage, 3 internal.',
  ].join('\n'),
  options: {
    benchmark: { type: 'string', multiple: true, arg: 'FILE', help: 'benchmark file for contamination (JSONL, JSON, CSV...)' },
    baseline: { type: 'string', arg: 'DIR|FILE', help: "an earlier delivery of the same vendor, for drift" },
    policy: { type: 'string', arg: 'FILE', help: 'policy file (YAML or JSON) extending or replacing the default policy' },
    fields: { type: 'string', arg: 'ROLE=FIELD,...', help: 'explicit field roles, e.g. prompt=instruction,response=output' },
    detectors: { type: 'string', arg: 'ID,...', help: 'detectors to run (default: all that apply)' },
    format: { type: 'string', arg: 'FORMAT', help: 'report format: text (default), json, sarif, html' },
    out: { type: 'string', arg: 'FILE', help: 'write the report to FILE (atomically) instead of stdout' },
    'redact-to': { type: 'string', arg: 'DIR', help: 'write a redacted copy of the delivery to DIR (must not exist)' },
    'input-format': { type: 'string', arg: 'FORMAT', help: `read every delivery file as this record format (${RECORD_FORMATS.join('|')})` },
    workers: { type: 'string', arg: 'N', help: 'worker threads (default: available cores, at most 8; 0 = none)' },
    'max-findings-per-rule': { type: 'string', arg: 'N', help: 'findings listed per detector rule in the report (default 1000; 0 = all)' },
    distributed: { type: 'string', arg: 'REDIS_URL', help: "shard the inspection over 'provenant worker' processes on this Redis" },
    queue: { type: 'string', arg: 'NAME', help: 'with --distributed: queue name (default provenant-inspect)' },
    prefix: { type: 'string', arg: 'P', help: 'with --distributed: Redis key prefix (default provenant)' },
    'shard-bytes': { type: 'string', arg: 'N', help: 'with --distributed: target shard size of large JSONL/text files (default 67108864)' },
  },
  minPositionals: 1,
  async run(inv) {
    const cwd = inv.io.cwd;
    const format = reportFormat(inv);
    const detectors = detectorsFlag(inv);
    const benchmarks = optStrings(inv, 'benchmark');
    if (detectors && benchmarks.length > 0 && !detectors.includes('contamination')) {
      throw new InputError('CLI_USAGE', '--benchmark needs the contamination detector; add it to --detectors');
    }
    const baseline = optString(inv, 'baseline');
    if (detectors && baseline !== undefined && !detectors.includes('drift')) throw new InputError('CLI_USAGE', '--baseline needs the drift detector; add it to --detectors');
    const fieldsFlag = optString(inv, 'fields');
    const fields = fieldsFlag === undefined ? undefined : parseFieldsFlag(fieldsFlag);
    const policyPath = optString(inv, 'policy');
    const policy = policyPath === undefined ? undefined : await loadPolicy(resolve(cwd, policyPath));
    const inFormat = inputFormat(inv);
    const workers = workersFlag(inv);
    const maxFindings = maxFindingsFlag(inv);
    const out = optString(inv, 'out');
    const redactTo = optString(inv, 'redact-to');
    const distributed = optString(inv, 'distributed');
    const queue = optString(inv, 'queue');
    const prefix = optString(inv, 'prefix');
    const shardBytesFlag = optString(inv, 'shard-bytes');
    if (distributed === undefined && (queue !== undefined || prefix !== undefined || shardBytesFlag !== undefined)) {
      throw new InputError('CLI_USAGE', '--queue, --prefix and --shard-bytes go with --distributed REDIS_URL');
    }
    if (distributed !== undefined && workers !== undefined) throw new InputError('CLI_USAGE', '--workers sets local threads; with --distributed, start more `provenant worker` processes instead');
    if (shardBytesFlag !== undefined && (!/^\d{1,15}$/.test(shardBytesFlag) || Number(shardBytesFlag) < 1)) {
      throw new InputError('CLI_USAGE', `--shard-bytes must be a positive integer, not ${JSON.stringify(shardBytesFlag)}`);
    }

    const progress = createProgress(inv.io.stderr, 'inspecting', inv.io.env);
    let report: InspectReport;
    try {
      const common = {
        paths: inv.positionals,
        cwd,
        ...(detectors ? { detectors } : {}),
        ...(benchmarks.length > 0 ? { benchmarks } : {}),
        ...(baseline !== undefined ? { baseline } : {}),
        ...(fields ? { fields } : {}),
        ...(policy ? { policy } : {}),
        ...(inFormat ? { format: inFormat } : {}),
      };
      report =
        distributed !== undefined
          ? await (await import('../../dist/index.js')).inspectDistributed({
              ...common,
              redis: distributed,
              ...(queue !== undefined ? { queue } : {}),
              ...(prefix !== undefined ? { prefix } : {}),
              ...(shardBytesFlag !== undefined ? { shardBytes: Number(shardBytesFlag) } : {}),
              ...(maxFindings !== undefined ? { maxFindingsPerRule: maxFindings } : {}),
              onProgress: (p) => progress.update({ bytes: p.bytes, totalBytes: p.totalBytes, file: `${p.shards}/${p.totalShards} shards` }),
            })
          : await inspectDelivery({
              ...common,
              ...(workers !== undefined ? { workers } : {}),
              ...(maxFindings !== undefined ? { maxFindingsPerRule: maxFindings } : {}),
              onProgress: (p) => progress.update({ records: p.records, bytes: p.bytes, totalBytes: p.totalBytes, file: p.file }),
            });
    } finally {
      progress.done();
    }

    const color = inv.io.stdout.isTTY === true && inv.io.env['NO_COLOR'] === undefined;
    if (out !== undefined) {
      await writeAtomic(resolve(cwd, out), render(report, format, false));
      if (inv.json) writeJson(inv.io, report);
      else inv.io.stdout.write(renderText(report, { color }) + `report written to ${out}\n`);
    } else inv.io.stdout.write(render(report, format, color));

    if (redactTo !== undefined) {
      const r = await redactDelivery({ paths: inv.positionals, out: redactTo, cwd, ...(inFormat ? { format: inFormat } : {}) });
      inv.io.stderr.write(`redacted copy written to ${redactTo}: ${r.files.length} file(s), ${r.records.toLocaleString('en-US')} records, ${r.redacted.toLocaleString('en-US')} changed\n`);
    }
    return report.verdict === 'accept' ? 0 : 1;
  },
};
