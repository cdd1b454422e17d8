/**
 * Intake (issue 5, DESIGN §1 "lab: intake a delivery"): one decision per delivery. Trust checks
 * first (signing key among the trusted ones, vendor of the key, validity window, revocation against
 * the log time, log receipt, vendor pause), then the seal (signature, files, records), then
 * inspection by policy; an accepted-or-inspected delivery is registered with its findings and
 * evidence. Trust and seal failures are a `reject` verdict in the summary, never exceptions.
 *
 * Log time: a witness cosignature (C2SP tlog-cosignature v1) carries a signed timestamp, so the
 * earliest cosignature on the receipt's checkpoint proves the entry was logged by then. Without
 * one, the only time is the vendor's own `sealedAt`, marked `claimed`; a revoked key's deliveries
 * must prove their log time, since a thief holding the key can claim any sealedAt.
 */
import { stat, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ProvenantError } from '../core/index.js';
import type { InspectReport, Policy, Verdict } from '../inspect/index.js';
import { inspectDelivery } from '../inspect/index.js';
import type { FindingIndex, LineageStore, StoredFinding } from '../lineage/index.js';
import { BUNDLE_NAME, parseBundle, verifyDelivery, verifyEnvelope, type AuthenticatedSeal, type ParsedBundle, type VerifyDiff, type VerifyIssue } from '../seal/index.js';
import { registerSeal, type Store } from '../store/index.js';
import { RECEIPT_NAME, verifySealReceipt, type VerifiedReceipt } from '../tlog/index.js';
import type { IntakeErrorCode } from './errors.js';
import { IntakeError } from './errors.js';
import { findTrustedKey, type TrustConfig, type TrustedKey } from './trust.js';

export interface IntakeOptions {
  /** The delivered file or folder. */
  readonly path: string;
  /** The seal directory. */
  readonly sealDir: string;
  readonly trust: TrustConfig;
  readonly store: Store & LineageStore;
  readonly findings: FindingIndex;
  readonly policy?: Policy;
  readonly benchmarks?: readonly string[];
  readonly cwd?: string;
  readonly workers?: number;
  /** Verifier memory for log checkpoints (default $PROVENANT_HOME), or false. */
  readonly stateDir?: string | false;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: Date;
}

/** When the delivery was logged: proven by a witness cosignature, or claimed by the vendor. */
export interface IntakeTime {
  readonly at: string;
  readonly source: 'witness' | 'claimed';
}

/** The one summary intake prints. */
export interface IntakeSummary {
  readonly ok: boolean;
  readonly verdict: Verdict;
  readonly delivery: { readonly id: string; readonly records: number; readonly files: number; readonly sealedAt: string; readonly path: string } | null;
  readonly vendor: string | null;
  readonly key: { readonly id: string; readonly trusted: boolean; readonly vendor?: string; readonly notBefore?: string; readonly notAfter?: string; readonly revokedAt?: string } | null;
  readonly time?: IntakeTime;
  readonly log?: { readonly origin: string; readonly index: number; readonly treeSize: number; readonly witnesses: readonly { readonly name: string; readonly timestamp?: string }[] };
  readonly inspection: {
    readonly verdict: Verdict;
    readonly counts: InspectReport['counts'];
    readonly reasons: InspectReport['policy']['reasons'];
    /** The most severe distinct findings (by detector, rule and message), with how many records carry each. */
    readonly top: readonly { readonly detector: string; readonly rule: string; readonly severity: string; readonly count: number; readonly message: string }[];
  } | null;
  readonly rejected?: { readonly code: IntakeErrorCode; readonly message: string };
  /** Seal check failures and the record diff (on INTAKE_SEAL_INVALID). */
  readonly seal?: { readonly errors: readonly VerifyIssue[]; readonly diff: VerifyDiff };
  readonly registered?: { readonly inserted: boolean; readonly findingsChanged: boolean; readonly evidenceChanged: boolean };
}

/** What intake returns: the summary, and the inspection report when one ran. */
export interface IntakeResult {
  readonly summary: IntakeSummary;
  readonly report?: InspectReport;
}

/** Bundles are at most 64 MiB (as seal/verify enforce). */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/** Verifies, checks trust, inspects and registers one delivery; see the module comment. */
export async function intakeDelivery(o: IntakeOptions): Promise<IntakeResult> {
  const cwd = o.cwd ?? process.cwd();
  const path = resolve(cwd, o.path);
  const sealDir = resolve(cwd, o.sealDir);
  const bundle = await readBundle(sealDir);

  // 1. The signing key: the bundle's (unsigned) hint selects a trusted key, the signature decides.
  const hint = bundle.material.kind === 'publicKey' ? bundle.material.hint : undefined;
  let key: TrustedKey | undefined;
  if (hint !== undefined) key = findTrustedKey(o.trust, hint.toLowerCase());
  else {
    // No hint: the key that opens the envelope, if any trusted one does.
    const all = o.trust.vendors.flatMap((v) => v.keys);
    key = all.find((k) => opens(bundle, k));
  }
  const base = { delivery: null, vendor: null, inspection: null } as const;
  if (!key) {
    return reject({ ...base, key: hint !== undefined ? { id: hint, trusted: false } : null }, 'INTAKE_KEY_UNKNOWN', `the delivery is signed by key ${hint?.slice(0, 16) ?? '(no hint)'}…, which the trust file does not list; add the vendor's key to ${o.trust.file} only after checking it out of band`);
  }
  const keyView = {
    id: key.keyId,
    trusted: true,
    vendor: key.vendor,
    ...(key.notBefore !== undefined ? { notBefore: key.notBefore } : {}),
    ...(key.notAfter !== undefined ? { notAfter: key.notAfter } : {}),
    ...(key.revokedAt !== undefined ? { revokedAt: key.revokedAt } : {}),
  };

  // 2. The seal: signature, statement, files, records (with the record diff on failure).
  // Later steps use the seal bytes this verification authenticated, never a re-read of sealDir.
  let authenticated: AuthenticatedSeal | undefined;
  const verified = await verifyDelivery({ path, seal: sealDir, key: key.publicKey, onAuthenticated: (a) => (authenticated = a) });
  const st = verified.statement;
  const delivery = st ? { id: st.deliveryId, records: st.records, files: st.files, sealedAt: st.sealedAt, path } : null;
  if (!verified.ok || !st) {
    const first = verified.errors[0];
    const n = verified.diff.modified.length + verified.diff.inserted.length + verified.diff.deleted.length;
    return reject(
      { ...base, delivery, vendor: st?.vendor ?? null, key: keyView, seal: { errors: verified.errors, diff: verified.diff } },
      'INTAKE_SEAL_INVALID',
      `the delivery does not match its seal (${verified.errors.length} problem(s)${n > 0 ? `, ${verified.diff.modified.length} modified, ${verified.diff.inserted.length} inserted, ${verified.diff.deleted.length} deleted record(s)` : ''}${first ? `; first: ${first.code} ${first.message}` : ''}); do not use it, ask the vendor to re-deliver`,
    );
  }
  const head = { delivery, vendor: st.vendor, key: keyView, inspection: null };

  // 3. The vendor the key belongs to must be the vendor the statement names.
  if (st.vendor !== key.vendor) {
    return reject(head, 'INTAKE_VENDOR_MISMATCH', `the statement names vendor ${JSON.stringify(st.vendor)} but the signing key belongs to ${JSON.stringify(key.vendor)} in the trust file; a vendor cannot seal in another vendor's name`);
  }
  // 4. Validity window, against the signed sealedAt: [notBefore, notAfter).
  const sealedAt = new Date(st.sealedAt).toISOString();
  if ((key.notBefore !== undefined && sealedAt < key.notBefore) || (key.notAfter !== undefined && sealedAt >= key.notAfter)) {
    return reject(head, 'INTAKE_KEY_NOT_VALID', `sealed at ${st.sealedAt}, outside the key's validity [${key.notBefore ?? '-∞'}, ${key.notAfter ?? '∞'}); ask the vendor to seal with its current key`);
  }

  // 5. The log receipt: required by requireLog and for revoked keys; checked whenever logs are trusted.
  const hasReceipt = await exists(join(sealDir, RECEIPT_NAME));
  const mustLog = o.trust.requireLog || key.revokedAt !== undefined;
  let receipt: VerifiedReceipt | undefined;
  if (hasReceipt && o.trust.logs.length > 0) {
    const checked = await checkReceipt(o, sealDir, authenticated);
    if ('error' in checked) return reject(head, 'INTAKE_LOG_INVALID', `the log receipt does not verify: ${checked.error}; ask the vendor for a receipt from a log in ${o.trust.file}`);
    receipt = checked.receipt;
  } else if (mustLog) {
    const why = key.revokedAt !== undefined ? `the signing key was revoked at ${key.revokedAt}, so the delivery must prove when it was logged` : 'the trust file sets requireLog';
    return reject(head, 'INTAKE_LOG_REQUIRED', `${hasReceipt ? 'the trust file lists no log to check the receipt against' : `the seal has no log receipt (${RECEIPT_NAME})`}; ${why}`);
  }
  const stamps = (receipt?.cosignatures ?? []).map((c) => c.timestamp).filter((t): t is number => t !== undefined);
  const time: IntakeTime = stamps.length > 0 ? { at: new Date(Math.min(...stamps) * 1000).toISOString(), source: 'witness' } : { at: sealedAt, source: 'claimed' };
  const log = receipt
    ? {
        origin: receipt.origin,
        index: receipt.index,
        treeSize: receipt.treeSize,
        witnesses: receipt.cosignatures.map((c) => ({ name: c.name, ...(c.timestamp !== undefined ? { timestamp: new Date(c.timestamp * 1000).toISOString() } : {}) })),
      }
    : undefined;
  const withLog = { ...head, time, ...(log ? { log } : {}) };

  // 6. Revocation: a thief holding the key can claim any sealedAt, so only a witnessed time counts.
  if (key.revokedAt !== undefined) {
    if (time.source !== 'witness') {
      return reject(withLog, 'INTAKE_KEY_REVOKED', `the signing key was revoked at ${key.revokedAt} and the receipt carries no witness cosignature, so the log time cannot be proven; ask the vendor to re-seal with its new key`);
    }
    if (time.at >= key.revokedAt) {
      return reject(withLog, 'INTAKE_KEY_REVOKED', `the delivery was logged at ${time.at} (witnessed), after the signing key was revoked at ${key.revokedAt}; treat it as forged`);
    }
  }

  // 7. Paused vendors: nothing comes in until the pause is lifted.
  const pause = (await o.store.listVendorPauses()).find((p) => p.vendor === st.vendor);
  if (pause) {
    return reject(withLog, 'INTAKE_VENDOR_PAUSED', `vendor ${JSON.stringify(st.vendor)} is paused since ${pause.pausedAt}${pause.reason ? ` (${pause.reason})` : ''}; resume it before intake`);
  }

  // 8. Inspection by policy.
  const report = await inspectDelivery({
    paths: [path],
    cwd,
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.benchmarks && o.benchmarks.length > 0 ? { benchmarks: [...o.benchmarks] } : {}),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
  });
  const inspection = { verdict: report.verdict, counts: report.counts, reasons: report.policy.reasons, top: topFindings(report) };

  // 9. Registration, idempotent: the same delivery again writes nothing.
  const registered = await register(o, sealDir, key, path, st.deliveryId, report, receipt, authenticated);
  const summary: IntakeSummary = { ok: report.verdict === 'accept', verdict: report.verdict, ...withLog, inspection, registered };
  return { summary, report };
}

function reject(
  s: Omit<IntakeSummary, 'ok' | 'verdict' | 'rejected'>,
  code: IntakeErrorCode,
  message: string,
): IntakeResult {
  return { summary: { ok: false, verdict: 'reject', ...s, rejected: { code, message } } };
}

async function readBundle(sealDir: string): Promise<ParsedBundle> {
  const file = join(sealDir, BUNDLE_NAME);
  let bytes: Buffer;
  try {
    if ((await stat(file)).size > MAX_BUNDLE_BYTES) throw new Error(`larger than ${MAX_BUNDLE_BYTES} bytes`);
    bytes = await readFile(file);
  } catch (err) {
    throw new IntakeError('INTAKE_SEAL_UNREADABLE', `cannot read ${BUNDLE_NAME} in the seal directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass --seal DIR as written by provenant seal`, { location: { file }, cause: err });
  }
  try {
    return parseBundle(bytes, file);
  } catch (err) {
    if (err instanceof ProvenantError) throw new IntakeError('INTAKE_SEAL_UNREADABLE', `${BUNDLE_NAME} is not a valid bundle: ${err.message}`, { location: { file }, cause: err });
    throw err;
  }
}

function opens(bundle: ParsedBundle, key: TrustedKey): boolean {
  const e = bundle.envelope;
  return verifyEnvelope(e.payloadType, e.payload, e.signatures.map((x) => x.sig), key.publicKey);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Tries each trusted log: the receipt must verify against one of them with its witness policy. */
async function checkReceipt(o: IntakeOptions, sealDir: string, authenticated: AuthenticatedSeal | undefined): Promise<{ receipt: VerifiedReceipt } | { error: string }> {
  const errors: string[] = [];
  for (const log of o.trust.logs) {
    try {
      const receipt = await verifySealReceipt({
        sealDir,
        ...(authenticated ? { bundle: authenticated.bundle } : {}),
        logKey: log.key,
        witnesses: log.witnesses,
        quorum: log.quorum,
        ...(o.stateDir !== undefined ? { stateDir: o.stateDir } : {}),
        ...(o.env ? { env: o.env } : {}),
      });
      return { receipt };
    } catch (err) {
      if (!(err instanceof ProvenantError) || err.kind === 'internal') throw err;
      errors.push(`${log.origin}: ${err.code} ${err.message}`);
    }
  }
  return { error: errors.join('; ') };
}

async function register(
  o: IntakeOptions,
  sealDir: string,
  key: TrustedKey,
  path: string,
  deliveryId: string,
  report: InspectReport,
  receipt: VerifiedReceipt | undefined,
  authenticated: AuthenticatedSeal | undefined,
): Promise<{ inserted: boolean; findingsChanged: boolean; evidenceChanged: boolean }> {
  // A delivery already verified keeps its first verification time, so registering it again adds
  // no verification event.
  const existing = await o.store.getDelivery(deliveryId);
  const now = existing?.verifiedAt !== undefined ? new Date(existing.verifiedAt) : (o.now ?? new Date());
  const res = await registerSeal(o.store, { sealDir, publicKey: key.publicKey, status: 'verified', path: existing?.path ?? path, now, ...(authenticated ? { authenticated } : {}) });
  await o.store.syncDeliveries();
  const findings: StoredFinding[] = report.findings.map((f) => ({
    detector: f.detector,
    rule: f.rule,
    severity: f.severity,
    confidence: Math.min(1, Math.max(0, f.confidence)),
    file: f.location.file,
    index: Math.max(0, f.location.index),
    ...(f.location.field !== undefined ? { field: f.location.field } : {}),
    message: f.message,
  }));
  const { changed: findingsChanged } = await o.findings.putFindings(deliveryId, findings);
  const evidence = {
    deliveryId,
    logged: receipt !== undefined,
    witnessed: (receipt?.cosignatures.length ?? 0) > 0,
    inspected: { records: report.counts.records, findings: report.counts.findings, verdict: report.verdict },
  };
  const prior = (await o.store.listEvidence()).find((e) => e.deliveryId === deliveryId);
  const same =
    prior !== undefined &&
    prior.logged === evidence.logged &&
    prior.witnessed === evidence.witnessed &&
    prior.inspected?.records === evidence.inspected.records &&
    prior.inspected.findings === evidence.inspected.findings &&
    prior.inspected.verdict === evidence.inspected.verdict;
  if (!same) await o.store.putEvidence({ ...evidence, recordedAt: (o.now ?? new Date()).toISOString() });
  return { inserted: res.inserted, findingsChanged, evidenceChanged: !same };
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** The three most severe distinct findings (medium and above): what a reviewer reads first, e.g. the trigger. */
function topFindings(report: InspectReport): { detector: string; rule: string; severity: string; count: number; message: string }[] {
  const groups = new Map<string, { detector: string; rule: string; severity: string; count: number; message: string }>();
  for (const f of report.findings) {
    if ((SEVERITY_RANK[f.severity] ?? 0) < 2) continue;
    const k = `${f.detector}\u0000${f.rule}\u0000${f.message}`;
    const g = groups.get(k);
    if (g) g.count++;
    else groups.set(k, { detector: f.detector, rule: f.rule, severity: f.severity, count: 1, message: f.message });
  }
  return [...groups.values()].sort((a, b) => (SEVERITY_RANK[b.severity] ?? 0) - (SEVERITY_RANK[a.severity] ?? 0) || b.count - a.count).slice(0, 3);
}
