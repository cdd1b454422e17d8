/**
 * sealDelivery: walk a delivery, scan every file once (file SHA-256 + record digests), write the
 * record sidecar, sign the in-toto statement and write the seal directory atomically.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { sha256Hex, TOOL_NAME, VERSION } from '../core/index.js';
import { createDeliveryScan, createScanPool, detectFormat, type DeliveryScan, type RecordFormat, type ScanPool } from '../records/index.js';
import { buildBundle, serializeBundle } from './bundle.js';
import { createKeySigner, IN_TOTO_PAYLOAD_TYPE, signEnvelope, type Signer } from './dsse.js';
import { SealError } from './errors.js';
import { toPrivateKey } from './keys.js';
import { SIDECAR_NAME, SidecarWriter } from './sidecar.js';
import {
  buildStatement,
  DELIVERY_ID_PATTERN,
  parseMeta,
  serializeStatement,
  SIDECAR_FORMAT,
  type DeliveryFile,
  type DeliveryMeta,
  type DeliveryPredicate,
} from './statement.js';
import { walkDelivery } from './walk.js';

export const BUNDLE_NAME = 'bundle.sigstore.json';

/** Tool name and version recorded in every statement (core's VERSION, tested equal to package.json). */
export const TOOL = { name: TOOL_NAME, version: VERSION } as const;

export interface SealProgress {
  readonly file: string;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly records: number;
}

export interface SealOptions {
  /** A file or a directory. */
  readonly path: string;
  /** Private key (PKCS#8 PEM text/bytes or KeyObject); ignored when `signer` is given. */
  readonly key?: string | Buffer | KeyObject;
  readonly signer?: Signer;
  readonly vendor: string;
  readonly client: string;
  /** Default: `<vendor slug>-<YYYYMMDD of sealedAt, UTC>-<first 12 hex of recordRoot>`. */
  readonly deliveryId?: string;
  /** Optional metadata: a parsed object or the JSON text of a --meta file (validated strictly). */
  readonly meta?: DeliveryMeta | string;
  /** Seal directory; default `PATH.seal` next to PATH. */
  readonly out?: string;
  /** Replace an existing seal directory. */
  readonly force?: boolean;
  readonly exclude?: readonly string[];
  /** Record format for every file, instead of detecting it from the extension. */
  readonly format?: RecordFormat;
  readonly pool?: ScanPool;
  readonly onProgress?: (p: SealProgress) => void;
  /** Seal time (default now); fixed in tests for reproducible seals. */
  readonly now?: Date;
}

export interface SealSummary {
  readonly out: string;
  readonly bundlePath: string;
  readonly sidecarPath: string;
  readonly deliveryId: string;
  readonly vendor: string;
  readonly client: string;
  readonly files: number;
  readonly records: number;
  readonly bytes: number;
  readonly recordRoot: string;
  readonly recordSetRoot: string;
  readonly keyId: string;
  /** SHA-256 of the signed statement (the DSSE payload bytes). */
  readonly statementSha256: string;
  /** SHA-256 of bundle.sigstore.json as written. */
  readonly bundleSha256: string;
  readonly sidecarSha256: string;
  readonly excluded: readonly string[];
  readonly sealedAt: string;
}

function checkName(v: unknown, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > 256 || /[\u0000-\u001f\u007f]/.test(v)) {
    throw new SealError('SEAL_OPTION_INVALID', `${what} must be a non-empty name of at most 256 characters without control characters`);
  }
  return v;
}

/** Default delivery id: vendor slug, seal date (UTC) and the first 12 hex digits of recordRoot. */
export function deriveDeliveryId(vendor: string, sealedAt: Date, recordRoot: string): string {
  const slug = vendor.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '') || 'delivery';
  const day = sealedAt.toISOString().slice(0, 10).replace(/-/g, '');
  return `${slug}-${day}-${recordRoot.slice(0, 12)}`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function writeFileSynced(path: string, data: string | Buffer): Promise<void> {
  const fh = await open(path, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Lines (JSONL, JSON, text) or data rows (CSV, TSV, Parquet), as the records layer numbers them. */
function positionKindOf(absPath: string, format: RecordFormat | undefined): 'line' | 'row' {
  const f = detectFormat(absPath, format).format;
  return f === 'csv' || f === 'tsv' || f === 'parquet' ? 'row' : 'line';
}

/** Seals a delivery (file or directory) and writes its seal directory. */
export async function sealDelivery(options: SealOptions): Promise<SealSummary> {
  const vendor = checkName(options.vendor, 'vendor');
  const client = checkName(options.client, 'client');
  if (options.deliveryId !== undefined && !DELIVERY_ID_PATTERN.test(options.deliveryId)) {
    throw new SealError('SEAL_OPTION_INVALID', `delivery id ${JSON.stringify(options.deliveryId)} must be 1-128 of letters, digits, . _ : - (starting with a letter or digit)`);
  }
  const meta = options.meta === undefined ? {} : parseMeta(options.meta);
  let signer = options.signer;
  if (!signer) {
    if (options.key === undefined) throw new SealError('SEAL_OPTION_INVALID', 'a private key (--key) is required to seal');
    signer = createKeySigner(toPrivateKey(options.key));
  }
  const exclude = [...(options.exclude ?? [])];

  const root = resolve(options.path);
  const out = resolve(options.out ?? `${root.replace(/[/\\]+$/, '')}.seal`);
  if (out === root || out.startsWith(root + sep)) {
    throw new SealError('SEAL_OUT_INSIDE_DELIVERY', `seal directory ${out} is inside the delivery ${root}; choose --out outside it`, { location: { file: out } });
  }
  if (!options.force && (await exists(out))) {
    throw new SealError('SEAL_OUT_EXISTS', `${out} already exists; remove it, choose another --out, or pass --force to replace it`, { location: { file: out } });
  }

  const walk = await walkDelivery(root, exclude);
  if (walk.problems.length > 0) {
    const first = walk.problems[0] as SealError;
    const more = walk.problems.length > 1 ? ` (and ${walk.problems.length - 1} more: ${walk.problems.slice(1, 6).map((p) => p.location?.file ?? '?').join(', ')})` : '';
    throw new SealError(first.code, `${first.message}${more}`, { ...(first.location ? { location: first.location } : {}), details: { problems: walk.problems.map((p) => p.toJSON()) } });
  }
  if (walk.files.length === 0) {
    throw new SealError('SEAL_EMPTY_DELIVERY', `${root} holds no files to seal${walk.excluded.length ? ` (${walk.excluded.length} excluded)` : ''}`, { location: { file: root } });
  }

  const sealedAt = options.now ?? new Date();
  const tmp = await mkdtemp(join(dirname(out), `.${basename(out)}.tmp-`));
  const ownPool = options.pool ? undefined : createScanPool();
  const pool = (options.pool ?? ownPool) as ScanPool;
  let sidecar: SidecarWriter | undefined;
  let scan: DeliveryScan | undefined;
  // Spill files of the recordSetRoot sort live beside the seal, outside the directory published.
  let work: string | undefined;
  try {
    work = await mkdtemp(join(dirname(out), `.${basename(out)}.work-`));
    scan = createDeliveryScan({ pool, tmpDir: work });
    // The records layer merges recordRoot from the very digests streamed here (and verify
    // recomputes it from the sidecar), so the writer's own per-record recomputation is skipped.
    sidecar = await SidecarWriter.create(join(tmp, SIDECAR_NAME), { checkRoot: false });
    const files: DeliveryFile[] = [];
    const bytesTotal = walk.files.reduce((s, f) => s + f.size, 0);
    let bytesDone = 0;
    let records = 0;
    for (const [i, f] of walk.files.entries()) {
      const sc = sidecar;
      sc.beginFile(f.path, positionKindOf(f.absPath, options.format));
      const summary = await scan.scanFile(f.absPath, {
        file: f.path,
        ...(options.format ? { format: options.format } : {}),
        onBatch: (b) => sc.addRecords(b.digests, b.positions),
      });
      await sc.endFile();
      files.push({ path: f.path, size: summary.size, sha256: summary.sha256, format: summary.format, gzip: summary.gzip, records: summary.records, recordRoot: summary.recordRoot });
      bytesDone += summary.size;
      records += summary.records;
      options.onProgress?.({ file: f.path, filesDone: i + 1, filesTotal: walk.files.length, bytesDone, bytesTotal, records });
    }
    const roots = await scan.finish();
    const deliveryId = options.deliveryId ?? deriveDeliveryId(vendor, sealedAt, roots.recordRoot);
    const sc = await sidecar.finish(deliveryId, roots.recordRoot);
    sidecar = undefined;

    const predicate: DeliveryPredicate = {
      vendor,
      client,
      deliveryId,
      files,
      recordRoot: roots.recordRoot,
      recordSetRoot: roots.recordSetRoot,
      counts: { files: files.length, records, bytes: bytesDone },
      exclude,
      sidecar: { name: SIDECAR_NAME, format: SIDECAR_FORMAT, size: sc.size, sha256: sc.sha256 },
      tool: { name: TOOL.name, version: TOOL.version },
      sealedAt: sealedAt.toISOString(),
      ...meta,
    };
    const payload = serializeStatement(buildStatement(predicate));
    const bundleText = serializeBundle(buildBundle(signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, signer), signer.keyId));
    await writeFileSynced(join(tmp, BUNDLE_NAME), bundleText);

    // Atomic publish: the seal appears complete under its name, or not at all.
    if (await exists(out)) {
      const old = `${tmp}.old`;
      await rename(out, old);
      try {
        await rename(tmp, out);
      } catch (err) {
        await rename(old, out).catch(() => undefined);
        throw err;
      }
      await rm(old, { recursive: true, force: true });
    } else {
      try {
        await rename(tmp, out);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTEMPTY') throw new SealError('SEAL_OUT_EXISTS', `${out} appeared while sealing; nothing was written`, { location: { file: out }, cause: err });
        throw err;
      }
    }
    return {
      out,
      bundlePath: join(out, BUNDLE_NAME),
      sidecarPath: join(out, SIDECAR_NAME),
      deliveryId,
      vendor,
      client,
      files: files.length,
      records,
      bytes: bytesDone,
      recordRoot: roots.recordRoot,
      recordSetRoot: roots.recordSetRoot,
      keyId: signer.keyId,
      statementSha256: sha256Hex(payload),
      bundleSha256: sha256Hex(bundleText),
      sidecarSha256: sc.sha256,
      excluded: walk.excluded,
      sealedAt: predicate.sealedAt,
    };
  } catch (err) {
    await sidecar?.abort();
    await rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    await scan?.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
    await ownPool?.close();
  }
}
