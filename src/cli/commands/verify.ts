/** provenant verify: checks a delivery against its seal and names every changed record. */
import { createPublicKey } from 'node:crypto';
import { resolve } from 'node:path';
import { verifyDelivery, type AuthenticatedSeal, type VerifyResult } from '../../seal/index.js';
import { createScanPool } from '../../records/index.js';
import { parseVerifierKey, verifySealReceipt, type VerifiedReceipt } from '../../tlog/index.js';
import { InputError } from '../../core/index.js';
import { optString, optStrings, requireString, writeJson, type Command, type Invocation } from '../command.js';
import { createProgress } from '../progress.js';
import { FORMAT_OPTION, NO_STORE_OPTION, formatFlag, homeDir, readFlagFile, recordInStore, refText } from './shared.js';

export const verify: Command = {
  name: 'verify',
  summary: 'verify a delivery against its seal; on mismatch, name the records that changed',
  usage: 'verify PATH --seal DIR --key PUB [--log-key VKEY [--witness VKEY]... [--quorum N] [--log-url URL] [--require-consistency]] [--format FORMAT] [--json]',
  details: [
    'Checks the bundle media type, DSSE payloadType, signature, statement and predicate types, the sidecar,',
    'the file set (missing and extra files are errors), sizes, sha256 and record roots. On mismatch it',
    'reports which records were modified, inserted, deleted or reordered (file, 0-based index, line or row).',
    'Verified deliveries are recorded in the store ($PROVENANT_HOME/provenant.db) unless --no-store.',
    '--json: {ok, errors[{code,message,file?,index?,line?,row?}], diff{modified,inserted,deleted,reordered}, files, statement}.',
    'With --log-key, the seal\'s log receipt (log.tlog-proof) is checked offline: inclusion of the entry rebuilt',
    'from the signed envelope, the checkpoint signature, witness cosignatures, and the checkpoint remembered',
    'for that log in $PROVENANT_HOME (a smaller or forked tree is a rollback or split-view alarm).',
    'Exit codes: 0 verified, 1 verification failed, 2 bad input or usage.',
  ].join('\n'),
  options: {
    seal: { type: 'string', arg: 'DIR', help: 'seal directory written by provenant seal' },
    key: { type: 'string', arg: 'PUB', help: "the vendor's public key (SPKI PEM)" },
    format: FORMAT_OPTION,
    'no-store': NO_STORE_OPTION,
    'log-key': { type: 'string', arg: 'VKEY', help: "require a transparency-log receipt signed by this log (verifier key, or a file holding it)" },
    witness: { type: 'string', multiple: true, arg: 'VKEY', help: 'a trusted witness verifier key (or file); see --quorum' },
    quorum: { type: 'string', arg: 'N', help: 'require cosignatures from N distinct named witnesses (default: all given --witness keys)' },
    'log-url': { type: 'string', arg: 'URL', help: "the log's URL, to fetch consistency proofs against remembered checkpoints" },
    'require-consistency': { type: 'boolean', help: 'fail when consistency with the remembered checkpoint cannot be checked' },
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
    // The seal bytes verification authenticated: the receipt check and the store use these, never a re-read.
    let authenticated: AuthenticatedSeal | undefined;
    try {
      result = await verifyDelivery({
        path,
        seal: sealDir,
        key,
        pool,
        onAuthenticated: (a) => (authenticated = a),
        ...(format !== undefined ? { format } : {}),
        onProgress: (p) => progress.update({ file: `${p.file} (${p.filesDone}/${p.filesTotal})` }),
      });
    } finally {
      progress.done();
      await pool.close();
    }
    let log: VerifiedReceipt | { error: { code: string; message: string } } | undefined;
    if (result.ok && optString(inv, 'log-key') !== undefined) {
      try {
        log = await checkReceipt(inv, sealDir, (authenticated as AuthenticatedSeal).bundle);
      } catch (err) {
        if (!(err instanceof Error && 'code' in err && 'kind' in err && err.kind === 'verification')) throw err;
        log = { error: { code: String(err.code), message: err.message } };
      }
    }
    const ok = result.ok && (log === undefined || !('error' in log));
    // Only a delivery that verified is recorded: the store never holds an unverified claim.
    const stored = ok ? await recordInStore(inv, { sealDir, publicKey: createPublicKey(key), status: 'verified', path, ...(authenticated ? { authenticated } : {}) }) : undefined;
    if (inv.json) writeJson(inv.io, { ...result, ok, ...(log ? { log } : {}), ...(stored ? { store: stored.store } : {}) });
    else {
      inv.io.stdout.write(renderVerify(result));
      if (log && 'error' in log) inv.io.stdout.write(`LOG CHECK FAILED: ${log.error.code}: ${log.error.message}\n`);
      else if (log) inv.io.stdout.write(`logged in ${log.origin} at index ${log.index} (tree size ${log.treeSize}, ${log.cosignatures.length} witness cosignature(s), consistency ${log.consistency})\n`);
    }
    return ok ? 0 : 1;
  },
};

/** Terminal rendering of a verification result. */
export function renderVerify(r: VerifyResult): string {
  const lines: string[] = [];
  const st = r.statement;
  // Excluded files were never sealed: say so whatever the outcome, so nothing passes unseen.
  const excluded = r.excluded ?? [];
  const excludedNote = excluded.length === 0 ? [] : [`  NOT VERIFIED: ${excluded.length} path(s) match the signed --exclude patterns and are not part of the delivery: ${excluded.slice(0, 10).join(', ')}${excluded.length > 10 ? ', …' : ''}; do not train on them`];
  if (r.ok && st) {
    lines.push(`verified ${st.deliveryId}: ${st.files} file(s), ${st.records.toLocaleString('en-US')} records, signed by ${r.keyId.slice(0, 16)}… (${st.vendor} → ${st.client}, sealed ${st.sealedAt})`, ...excludedNote);
    return lines.join('\n') + '\n';
  }
  lines.push(...excludedNote);
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

/** A verifier key given inline (`name+hex+base64`) or as a file holding one. */
async function keyArg(inv: Invocation, value: string, flag: string): Promise<string> {
  if (/^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(value)) return value;
  const text = (await readFlagFile(resolve(inv.io.cwd, value), flag)).toString('utf8').trim();
  parseVerifierKey(text);
  return text;
}

async function checkReceipt(inv: Invocation, sealDir: string, bundle: Buffer): Promise<VerifiedReceipt> {
  const logKey = await keyArg(inv, optString(inv, 'log-key') as string, '--log-key');
  const witnesses = await Promise.all(optStrings(inv, 'witness').map((w) => keyArg(inv, w, '--witness')));
  const q = optString(inv, 'quorum');
  if (q !== undefined && !/^\d{1,3}$/.test(q)) throw new InputError('CLI_USAGE', `--quorum must be a small non-negative integer, not ${JSON.stringify(q)}`);
  const quorum = q === undefined ? witnesses.length : Number(q);
  if (quorum > witnesses.length) throw new InputError('CLI_USAGE', `--quorum ${quorum} needs at least ${quorum} --witness keys`);
  const logUrl = optString(inv, 'log-url');
  return verifySealReceipt({
    sealDir,
    bundle,
    logKey,
    witnesses,
    quorum,
    stateDir: homeDir(inv),
    env: inv.io.env,
    requireConsistency: inv.values['require-consistency'] === true,
    ...(logUrl !== undefined ? { logUrl } : {}),
  });
}
