/** provenant impact: blast radius of a vendor window, key, annotator, delivery or incident, with a plan. */
import { computeImpact, parseImpactSelector, parseTime, pathText, type ImpactReport, type PlanStep } from '../../lineage/index.js';
import { optString, writeJson, type Command } from '../command.js';
import { WINDOW_OPTIONS, withFindings, withLineage } from './lineage-shared.js';

function pct(x: number | null): string {
  return x === null ? '?' : `${(x * 100).toFixed(1)}%`;
}

function planLine(p: PlanStep): string {
  switch (p.action) {
    case 'pause-vendor':
      return `pause vendor ${p.vendor}: ${p.reason}`;
    case 'quarantine':
      return `quarantine ${p.target.kind} ${p.target.name}: ${p.reason}`;
    case 'retrain':
      return `retrain ${p.model}${p.after.length ? ` after ${p.after.join(', ')}` : ''} from ${p.from ?? 'scratch'}: ${p.reason}`;
    case 'rollback':
      return `roll back ${p.deployment} (${p.env})${p.to ? ` to ${p.to}` : ''}: ${p.reason}`;
  }
}

function render(r: ImpactReport): string {
  const s = r.summary;
  const out = [
    `impact of ${JSON.stringify(r.selector)} as of ${r.asOf}`,
    `  ${s.deliveries} deliveries, ${s.datasets} datasets (${s.taintedRecords.toLocaleString('en-US')} tainted records), ${s.runs} runs, ${s.models} models, ${s.deployments} deployments (${s.activeDeployments} active)`,
  ];
  if (r.deliveries.length) out.push('deliveries:', ...r.deliveries.map((d) => `  ${d.deliveryId} ${d.vendor} → ${d.client}, ${d.recordCount} records, sealed ${d.sealedAt}`));
  if (r.datasets.length) out.push('datasets:', ...r.datasets.map((d) => `  ${d.name}: ${d.taintedRecords ?? '?'} of ${d.recordCount ?? '?'} records tainted (${pct(d.share)})\n    ${pathText(d.path)}`));
  if (r.runs.length) out.push('runs:', ...r.runs.map((x) => `  ${x.id}${x.pausedVendors.length ? ` [uses paused vendor ${x.pausedVendors.join(', ')}]` : ''}\n    ${pathText(x.path)}`));
  if (r.models.length) out.push('models:', ...r.models.map((m) => `  ${m.name} (${m.via}; last clean ancestor ${m.lastCleanAncestor ?? 'none'})\n    ${pathText(m.path)}`));
  if (r.deployments.length) out.push('deployments:', ...r.deployments.map((d) => `  ${d.name}: ${d.model} in ${d.env} ${d.from ?? ''}–${d.to ?? 'now'}${d.active ? ' ACTIVE' : ''}`));
  if (r.plan.length) out.push('plan:', ...r.plan.map((p, i) => `  ${i + 1}. ${planLine(p)}`));
  return out.join('\n') + '\n';
}

export const impact: Command = {
  name: 'impact',
  summary: 'list every delivery, dataset, run, model and deployment a selector affects, with a remediation plan',
  usage: 'impact SELECTOR [--from TIME] [--to TIME] [--as-of TIME]',
  details: [
    'SELECTOR: vendor:NAME, key:KEYID, annotator:ID, delivery:ID, incident:ID or finding:DETECTOR[/RULE]\n' +
      '(deliveries intake stored such findings for). --from/--to bound the',
    'window (vendor, key, annotator): a delivery is in it when its collection window (else its seal time)',
    'meets it. Datasets are found by record content, runs, models (through fine-tune chains) and',
    'deployments by declared lineage; each hit carries the path that explains it.',
    'Exit codes: 0 nothing affected, 1 something affected, 2 bad selector, unknown incident/delivery or usage.',
  ].join('\n'),
  options: { ...WINDOW_OPTIONS, 'as-of': { type: 'string', arg: 'TIME', help: 'judge deployments active at this time (default now)' } },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const from = optString(inv, 'from');
    const to = optString(inv, 'to');
    const selector = parseImpactSelector(inv.positionals[0] as string, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
    const asOfText = optString(inv, 'as-of');
    const asOf = asOfText === undefined ? undefined : new Date(parseTime(asOfText, '--as-of'));
    const report = await withLineage(inv, async (store) => {
      if (selector.kind !== 'finding') return computeImpact(store, selector, asOf ? { asOf } : {});
      // finding:DETECTOR[/RULE] reaches deliveries through the findings intake stored.
      return withFindings(inv, (findings) => computeImpact(store, selector, { ...(asOf ? { asOf } : {}), findings }));
    });
    if (inv.json) writeJson(inv.io, report);
    else inv.io.stdout.write(render(report));
    return report.summary.deliveries > 0 ? 1 : 0;
  },
};
