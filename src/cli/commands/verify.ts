/** provenant verify: checks a delivery against its seal and names every changed record. */
import { createPublicKey } from 'node:crypto';
import { resolve } from 'node:path';
import { verifyDelivery, type VerifyResult } from '../../seal/index.js';
import { createScanPool } from '../../records/index.js';
import { requireString, writeJson, type Command } from '../command.js';
import { createProgress } from '../progress.js';
import { FORMAT_OPTION, NO_STORE_OPTION, formatFlag, readFlagFile, recordInStore, refText } from './shared.js';

export const verify: Command = {
  name: 'verify',
  summary: 'verify a delivery against its seal; on mismatch, name the records that changed',
  usage: 'verify PATH --seal DIR --key PUB [--format FORMAT] [--json]',
  details: [
    'Checks the bundle media type, DSSE payloadType, signature, statement and predicate types, the sidecar,',
    'the file set (missing and extra files are errors), sizes, sha256 and record roots. On mismatch it',
    'reports which records were modified, inserted, deleted or reordered (file, 0-based index, line or row).',
    'Verified deliveries are recorded in the store ($PROVENANT_HOME/provenant.db) unless --no-store.',
    '--json: {ok, errors[{code,message,file?,index?,line?,row?}], diff{modified,inserted,deleted,reordered}, files, statement}.',
    'Exit codes: 0 verified, 1 verification failed, 2 bad input or usage.',
  ].join('\n'),
  options: {
    seal: { type: 'string', arg: 'DIR', help: 'seal directory written by provenant seal' },
    key: { type: 'string', arg: 'PUB', help: "the vendor's public key (SPKI PEM)" },
    format: FORMAT_OPTION,
    'no-store': NO_STORE_OPTION,
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const path = resolve(inv.io.cwd, inv.positionals[0] as string);
    const sealDir = resolve(inv.io.cwd, requireString(inv, 'seal', this));
    const key = await readFlagFile(resolve(inv.io.cwd, requireString(inv, 'key', this)), '--key');
    const format = formatFlag(inv);
    const progress = createProgress(inv.io.stderr, 'verifying', inv.io.env);
    const pool = createScanPool();
    let result: VerifyResult;
    try {
      result = await verifyDelivery({
        path,
        seal: sealDir,
        key,
        pool,
        ...(format !== undefined ? { format } : {}),
        onProgress: (p) => progress.update({ file: `${p.file} (${p.filesDone}/${p.filesTotal})` }),
      });
    } finally {
      progress.done();
      await pool.close();
    }
    // Only a delivery that verified is recorded: the store never holds an unverified claim.
    const stored = result.ok ? await recordInStore(inv, { sealDir, publicKey: createPublicKey(key), status: 'verified', path }) : undefined;
    if (inv.json) writeJson(inv.io, { ...result, ...(stored ? { store: stored.store } : {}) });
    else inv.io.stdout.write(renderVerify(result));
    return result.ok ? 0 : 1;
  },
};

/** Terminal rendering of a verification result. */
export function renderVerify(r: VerifyResult): string {
  const lines: string[] = [];
  const st = r.statement;
  if (r.ok && st) {
    lines.push(`verified ${st.deliveryId}: ${st.files} file(s), ${st.records.toLocaleString('en-US')} records, signed by ${r.keyId.slice(0, 16)}… (${st.vendor} → ${st.client}, sealed ${st.sealedAt})`);
    return lines.join('\n') + '\n';
  }
  lines.push(`VERIFICATION FAILED${st ? ` for ${st.deliveryId}` : ''}: ${r.errors.length} problem(s)`);
  const d = r.diff;
  const section = (title: string, refs: readonly { file: string; index: number; line?: number; row?: number }[]): void => {
    if (refs.length === 0) return;
    lines.push(`  ${title} (${refs.length}):`);
    for (const ref of refs.slice(0, 50)) lines.push(`    ${refText(ref)}`);
    if (refs.length > 50) lines.push(`    … and ${refs.length - 50} more (use --json for all)`);
  };
  section('modified records', d.modified);
  section('inserted records', d.inserted);
  section('deleted records', d.deleted);
  section('reordered records', d.reordered);
  const recordCodes = new Set(['SEAL_RECORD_MODIFIED', 'SEAL_RECORD_INSERTED', 'SEAL_RECORD_DELETED']);
  for (const e of r.errors.filter((x) => !recordCodes.has(x.code)).slice(0, 50)) {
    lines.push(`  ${e.code}: ${e.file ? `${e.file}: ` : ''}${e.message}`);
  }
  if (d.approximate) lines.push('  (diff approximate: too many changes for an exact alignment)');
  return lines.join('\n') + '\n';
}
