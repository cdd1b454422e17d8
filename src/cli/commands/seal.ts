/** provenant seal: signs a delivery down to the single record and writes PATH.seal/. */
import { createPublicKey } from 'node:crypto';
import { resolve } from 'node:path';
import { sealDelivery } from '../../seal/index.js';
import { createScanPool } from '../../records/index.js';
import { openSqliteLogDir } from '../../store/index.js';
import { isLogUrl, logSeal } from '../../tlog/index.js';
import { optString, optStrings, requireString, writeJson, type Command } from '../command.js';
import { createProgress } from '../progress.js';
import { FORMAT_OPTION, NO_STORE_OPTION, formatFlag, readFlagFile, recordInStore } from './shared.js';

export const seal: Command = {
  name: 'seal',
  summary: 'sign a delivery (file or directory) down to the single record',
  usage: 'seal PATH --key KEY --vendor NAME --client NAME [--delivery-id ID] [--meta FILE] [--out DIR] [--exclude PATTERN]... [--format FORMAT] [--force] [--log URL|DIR]',
  details: [
    'Writes DIR (default PATH.seal/) atomically: bundle.sigstore.json (Sigstore bundle v0.3 with the',
    'DSSE-signed in-toto statement) and records.sidecar (every record digest, in order).',
    'Files are walked in POSIX path order; symlinks, special files and paths escaping PATH are refused;',
    '--exclude patterns are recorded in the signed statement.',
    'With --log, the entry (digests and salted vendor/client commitments only) is logged and the C2SP',
    'tlog-proof receipt written to DIR/log.tlog-proof with DIR/log-entry.json; if logging fails the seal',
    'stays valid and `provenant log submit DIR --log URL|DIR` retries.',
    'Exit codes: 0 sealed, 2 bad input (malformed record, unreadable key, existing seal, no log at DIR)',
    'or usage, 3 a log server could not be reached (the seal is written; retry with log submit).',
  ].join('\n'),
  options: {
    key: { type: 'string', arg: 'KEY', help: 'private key file (PKCS#8 PEM from provenant keygen)' },
    vendor: { type: 'string', arg: 'NAME', help: 'vendor name recorded in the statement' },
    client: { type: 'string', arg: 'NAME', help: 'client (buyer) name recorded in the statement' },
    'delivery-id': { type: 'string', arg: 'ID', help: 'delivery id (default: VENDOR-YYYYMMDD-<recordRoot prefix>)' },
    meta: { type: 'string', arg: 'FILE', help: 'JSON metadata: collection window, annotators, licenses, task, parents, schema' },
    out: { type: 'string', arg: 'DIR', help: 'seal directory (default PATH.seal)' },
    exclude: { type: 'string', multiple: true, arg: 'PATTERN', help: 'leave matching files out (recorded in the statement)' },
    format: FORMAT_OPTION,
    force: { type: 'boolean', help: 'replace an existing seal directory' },
    'no-store': NO_STORE_OPTION,
    log: { type: 'string', arg: 'URL|DIR', help: 'log the seal in a transparency log (server URL or local log directory) and store the receipt' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(inv) {
    const path = resolve(inv.io.cwd, inv.positionals[0] as string);
    const keyPath = requireString(inv, 'key', this);
    const vendor = requireString(inv, 'vendor', this);
    const client = requireString(inv, 'client', this);
    const key = await readFlagFile(resolve(inv.io.cwd, keyPath), '--key');
    const metaPath = optString(inv, 'meta');
    const meta = metaPath === undefined ? undefined : (await readFlagFile(resolve(inv.io.cwd, metaPath), '--meta')).toString('utf8');
    const out = optString(inv, 'out');
    const deliveryId = optString(inv, 'delivery-id');
    const format = formatFlag(inv);
    const progress = createProgress(inv.io.stderr, 'sealing', inv.io.env);
    const pool = createScanPool();
    try {
      const summary = await sealDelivery({
        path,
        key,
        vendor,
        client,
        ...(deliveryId !== undefined ? { deliveryId } : {}),
        ...(meta !== undefined ? { meta } : {}),
        ...(out !== undefined ? { out: resolve(inv.io.cwd, out) } : {}),
        ...(format !== undefined ? { format } : {}),
        exclude: optStrings(inv, 'exclude'),
        force: inv.values['force'] === true,
        pool,
        onProgress: (p) => progress.update({ bytes: p.bytesDone, totalBytes: p.bytesTotal, records: p.records, file: p.file }),
      });
      progress.done();
      const stored = await recordInStore(inv, { sealDir: summary.out, publicKey: createPublicKey(key), status: 'sealed', path });
      const logTarget = optString(inv, 'log');
      const logged = logTarget === undefined ? undefined : await logSeal({ sealDir: summary.out, target: isLogUrl(logTarget) ? logTarget : resolve(inv.io.cwd, logTarget), openStorage: openSqliteLogDir });
      if (inv.json) writeJson(inv.io, { ok: true, ...summary, ...(stored ? { store: stored.store } : {}), ...(logged ? { log: logged } : {}) });
      else {
        inv.io.stdout.write(
          [
            `sealed ${summary.deliveryId}: ${summary.files} file(s), ${summary.records.toLocaleString('en-US')} records`,
            `  vendor ${summary.vendor} → client ${summary.client}, key ${summary.keyId.slice(0, 16)}…`,
            `  recordRoot ${summary.recordRoot}`,
            `  seal written to ${summary.out}`,
            ...(stored ? [`  recorded in ${stored.store}`] : []),
            ...(logged ? [`  logged at index ${logged.index} (tree size ${logged.treeSize}); receipt ${logged.receiptPath}`] : []),
            '',
          ].join('\n'),
        );
      }
      return 0;
    } finally {
      progress.done();
      await pool.close();
    }
  },
};
