/** provenant intake: verify a delivery against the trust file, inspect it, decide, register it; one summary. */
import { resolve } from 'node:path';
import { InputError } from '../../core/index.js';
import { intakeDelivery, loadTrust, type IntakeSummary } from '../../intake/index.js';
import { loadPolicy } from '../../inspect/index.js';
import { optString, optStrings, requireString, writeJson, type Command } from '../command.js';
import { withFindings, withLineage } from './lineage-shared.js';
import { homeDir, refText } from './shared.js';

const MAX_DIFF_LINES = 20;

function render(s: IntakeSummary): string {
  const out: string[] = [];
  out.push(`${s.verdict.toUpperCase()}  ${s.delivery ? `delivery ${s.delivery.id} (${s.delivery.records.toLocaleString('en-US')} records in ${s.delivery.files} file(s), sealed ${s.delivery.sealedAt})` : 'delivery (unverified)'}`);
  if (s.vendor !== null) out.push(`  vendor:     ${s.vendor}`);
  if (s.key) out.push(`  key:        ${s.key.id.slice(0, 16)}… ${s.key.trusted ? `trusted for ${s.key.vendor ?? '?'}` : 'NOT TRUSTED'}${s.key.revokedAt ? `, revoked ${s.key.revokedAt}` : ''}`);
  if (s.log) out.push(`  log:        ${s.log.origin} entry ${s.log.index} of ${s.log.treeSize}${s.log.witnesses.length ? `, cosigned by ${s.log.witnesses.map((w) => w.name).join(', ')}` : ', no witness cosignature'}`);
  else if (s.time) out.push('  log:        no receipt checked');
  if (s.time) out.push(`  time:       ${s.time.at} (${s.time.source === 'witness' ? 'witnessed log time' : 'claimed by the vendor, not proven'})`);
  if (s.rejected) out.push(`  rejected:   ${s.rejected.code}: ${s.rejected.message}`);
  if (s.seal) {
    const d = s.seal.diff;
    const refs = [...d.modified.map((r) => `modified ${refText(r)}`), ...d.inserted.map((r) => `inserted ${refText(r)}`), ...d.deleted.map((r) => `deleted  ${refText(r)}`)];
    if (refs.length > 0) {
      out.push(`  record diff: ${d.modified.length} modified, ${d.inserted.length} inserted, ${d.deleted.length} deleted${d.approximate ? ' (approximate)' : ''}`);
      out.push(...refs.slice(0, MAX_DIFF_LINES).map((r) => `    ${r}`));
      if (refs.length > MAX_DIFF_LINES) out.push(`    … ${refs.length - MAX_DIFF_LINES} more (--json lists all)`);
    } else out.push(...s.seal.errors.slice(0, MAX_DIFF_LINES).map((e) => `    ${e.code}: ${e.message}`));
  }
  if (s.inspection) {
    const c = s.inspection.counts;
    const det = Object.entries(c.byDetector).map(([k, v]) => `${k} ${v}`).join(', ');
    out.push(`  inspection: ${s.inspection.verdict}; ${c.records.toLocaleString('en-US')} records, ${c.findings} finding(s)${det ? ` (${det})` : ''}`);
    out.push(...s.inspection.reasons.map((r) => `    ${r.verdict}: ${r.rule} ×${r.count}: ${r.message}`));
    out.push(...s.inspection.top.map((t) => `    ${t.severity} ${t.detector}/${t.rule} ×${t.count}: ${t.message}`));
  }
  if (s.registered) out.push(`  registered: ${s.registered.inserted || s.registered.findingsChanged || s.registered.evidenceChanged ? 'stored in the lineage store' : 'already stored, unchanged'}`);
  return out.join('\n') + '\n';
}

export const intake: Command = {
  name: 'intake',
  summary: 'verify a delivery against the trust file, inspect it, decide by policy and register it',
  usage: 'intake PATH --seal DIR --trust FILE [--policy FILE] [--benchmark FILE]... [--json]',
  details: [
    'Checks, in order: the signing key is listed in the trust file (YAML/JSON: vendors with keys,',
    'validity windows, revocation times; trusted logs with witnesses; requireLog), the seal matches the',
    'files and records (the record diff is shown otherwise), the statement names the key\'s vendor, the',
    'seal time is inside the key\'s [notBefore, notAfter), the log receipt verifies (required by',
    'requireLog and for revoked keys), the log time (earliest witness cosignature) is before the key\'s',
    'revocation, the vendor is not paused; then inspection decides by policy. The delivery, its',
    'findings (no evidence values) and its evidence are registered in $PROVENANT_HOME; running it',
    'again on the same delivery changes nothing. The trust file format is in the README.',
    'Exit codes: 0 accept, 1 review/quarantine/reject, 2 bad input (trust file, policy, seal directory, usage), 3 internal.',
  ].join('\n'),
  options: {
    seal: { type: 'string', arg: 'DIR', help: 'seal directory (bundle, sidecar, log receipt) written by provenant seal' },
    trust: { type: 'string', arg: 'FILE', help: 'trust file (YAML or JSON): vendors, keys, logs' },
    policy: { type: 'string', arg: 'FILE', help: 'inspection policy file (YAML or JSON; default policy otherwise)' },
    benchmark: { type: 'string', multiple: true, arg: 'FILE', help: 'benchmark file for the contamination detector' },
    workers: { type: 'string', arg: 'N', help: 'inspection worker threads (default: available cores, at most 8; 0 = none)' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const cwd = inv.io.cwd;
    const sealDir = requireString(inv, 'seal', this);
    const trust = await loadTrust(resolve(cwd, requireString(inv, 'trust', this)));
    const policyPath = optString(inv, 'policy');
    const policy = policyPath === undefined ? undefined : await loadPolicy(resolve(cwd, policyPath));
    const benchmarks = optStrings(inv, 'benchmark').map((b) => resolve(cwd, b));
    const w = optString(inv, 'workers');
    if (w !== undefined && (!/^\d{1,2}$/.test(w) || Number(w) > 64)) {
      throw new InputError('CLI_USAGE', `--workers must be an integer 0..64, not ${JSON.stringify(w)}`);
    }
    const home = homeDir(inv);
    const result = await withLineage(inv, (store) =>
      withFindings(inv, (findings) =>
        intakeDelivery({
          path: inv.positionals[0] as string,
          sealDir,
          trust,
          store,
          findings,
          cwd,
          env: { ...inv.io.env, PROVENANT_HOME: home },
          stateDir: home,
          ...(policy ? { policy } : {}),
          ...(benchmarks.length > 0 ? { benchmarks } : {}),
          ...(w !== undefined ? { workers: Number(w) } : {}),
        }),
      ),
    );
    if (inv.json) writeJson(inv.io, result.summary);
    else inv.io.stdout.write(render(result.summary));
    return result.summary.verdict === 'accept' ? 0 : 1;
  },
};
