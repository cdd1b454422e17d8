/**
 * Secrets detector (id `secrets`): credentials of cloud, AI, source-hosting, payment, messaging and
 * database providers, private keys, JWTs and generic high-entropy assignments in record text.
 */
import { fieldLocation } from '../../location.js';
import type { Finding, RecordDetector, RecordView } from '../../types.js';
import { createSecretScanner } from './scan.js';
import type { SecretHit } from './scan.js';
import { SECRET_RULES } from './rules.js';
import type { SecretRule } from './rules.js';
import { maskSecret } from './validators.js';

export { SECRET_RULES } from './rules.js';
export type { RuleContext, SecretRule, Verdict } from './rules.js';
export { createSecretScanner, redactSecrets, scanSecrets } from './scan.js';
export type { SecretHit, SecretScanner } from './scan.js';
export { checksumTokenValid, makeChecksumToken, shannonEntropy } from './validators.js';

export interface SecretsDetectorOptions {
  /** Extra rules appended after the built-in table (ids must be new). */
  readonly extraRules?: readonly SecretRule[];
  /** Built-in rule ids to switch off. */
  readonly disable?: readonly string[];
  /** Drop hits below this confidence (default 0). */
  readonly minConfidence?: number;
  /** Report publicly documented example keys (as severity `info`); default true. */
  readonly reportExamples?: boolean;
}

/** Create the `secrets` record detector. */
export function createSecretsDetector(options: SecretsDetectorOptions = {}): RecordDetector {
  const disabled = new Set(options.disable ?? []);
  const builtin = SECRET_RULES.filter((r) => !disabled.has(r.id));
  // Extra rules go before the generic assignment rule so that they win overlaps with it.
  const generic = builtin.filter((r) => r.id === 'generic-secret-assignment');
  const specific = builtin.filter((r) => r.id !== 'generic-secret-assignment');
  const scanner = createSecretScanner([...specific, ...(options.extraRules ?? []), ...generic]);
  const minConfidence = options.minConfidence ?? 0;
  const reportExamples = options.reportExamples ?? true;
  return {
    id: 'secrets',
    kind: 'record',
    inspect(record: RecordView): Finding[] {
      const findings: Finding[] = [];
      for (const field of record.fields) {
        for (const hit of scanner.scan(field.text)) {
          if (hit.confidence < minConfidence || (hit.example && !reportExamples)) continue;
          findings.push(toFinding(record, field.path, hit));
        }
      }
      return findings;
    },
  };
}

function toFinding(record: RecordView, field: string, hit: SecretHit): Finding {
  const location = fieldLocation(record, field, hit.start, hit.end);
  let message = `${capitalise(hit.rule.title)} in ${field}`;
  if (hit.example) message += ' (a publicly documented example value, not a live credential)';
  else if (hit.data['checksum'] === 'invalid') message += ' (checksum does not match: likely fake or mistyped)';
  else if (hit.data['mode'] === 'test' || hit.data['mode'] === 'sandbox') message += ' (test-mode key)';
  message += hit.example ? '.' : '; revoke it and remove it from the delivery.';
  return {
    detector: 'secrets',
    rule: hit.rule.id,
    severity: hit.severity,
    confidence: hit.confidence,
    location,
    message,
    evidence: hit.rule.id === 'private-key' ? `-----BEGIN ${String(hit.data['keyType'] ?? '')} PRIVATE KEY----- … (${hit.value.length} chars)` : maskSecret(hit.value),
    data: hit.data,
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
