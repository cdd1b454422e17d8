/**
 * SARIF 2.1.0 output (OASIS Static Analysis Results Interchange Format, 2.1.0 errata 01) and a
 * fast structural check of SARIF documents. One run; one reportingDescriptor per (detector, rule)
 * seen; results point at the record both physically (file + line) and logically (`file#index`
 * and the field's JSON path), because a record in a Parquet file has no line.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256Hex } from '../../core/index.js';
import type { Finding, InspectReport, Severity } from '../types.js';
import { isPositiveInt, severityRank, truncatedRules, truncationLabel } from './shared.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** uriBaseId every result location is relative to (SARIF §3.4.4, §3.14.14). */
export const ROOT_BASE_ID = 'ROOT';
const INFORMATION_URI = 'https://provenant.dev';
/** Key of our partial fingerprint (SARIF §3.27.17: "a versioned, hierarchical string"). */
const FINGERPRINT_KEY = 'provenantFinding/v1';

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

/** The subset of SARIF 2.1.0 objects that renderSarif writes (§3.13 sarifLog and below). */
export interface SarifMessage {
  readonly text: string;
}
export interface SarifArtifactLocation {
  readonly uri?: string;
  readonly uriBaseId?: string;
  readonly index?: number;
  readonly description?: SarifMessage;
}
export interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: SarifMessage;
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties: Readonly<Record<string, unknown>>;
}
export interface SarifLogicalLocation {
  readonly name: string;
  readonly fullyQualifiedName: string;
  readonly kind: 'object' | 'property';
}
export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: SarifLevel;
  readonly message: SarifMessage;
  readonly locations: ReadonlyArray<{
    readonly physicalLocation: { readonly artifactLocation: SarifArtifactLocation; readonly region?: { readonly startLine: number } };
    readonly logicalLocations: readonly SarifLogicalLocation[];
  }>;
  readonly partialFingerprints: Readonly<Record<string, string>>;
  readonly properties: Readonly<Record<string, unknown>>;
}
export interface SarifRun {
  readonly tool: {
    readonly driver: {
      readonly name: string;
      readonly version: string;
      readonly semanticVersion?: string;
      readonly informationUri: string;
      readonly rules: readonly SarifRule[];
    };
  };
  readonly invocations: ReadonlyArray<{
    readonly executionSuccessful: boolean;
    readonly startTimeUtc?: string;
    readonly endTimeUtc?: string;
    /** Notes on the run (§3.20.21): which rules the report lists only in part. */
    readonly toolExecutionNotifications?: ReadonlyArray<{ readonly level: 'note'; readonly message: { readonly text: string }; readonly properties: Readonly<Record<string, unknown>> }>;
  }>;
  readonly originalUriBaseIds: Readonly<Record<string, SarifArtifactLocation>>;
  readonly artifacts: ReadonlyArray<{ readonly location: SarifArtifactLocation; readonly length?: number; readonly properties: Readonly<Record<string, unknown>> }>;
  readonly columnKind: 'utf16CodeUnits';
  readonly results: readonly SarifResult[];
  readonly properties: Readonly<Record<string, unknown>>;
}
export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly SarifRun[];
}

/** SARIF result level for a finding severity (§3.27.10): critical/high → error, medium → warning, low/info → note. */
export function sarifLevel(s: Severity): SarifLevel {
  switch (s) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    case 'low':
    case 'info':
      return 'note';
    default:
      return 'warning';
  }
}

/**
 * GitHub code scanning reads `security-severity` (a number in a string, 0.0–10.0) from rule
 * properties to rank alerts; the values sit inside GitHub's CVSS-like bands.
 */
function securitySeverity(s: Severity): string | undefined {
  switch (s) {
    case 'critical':
      return '9.5';
    case 'high':
      return '8.0';
    case 'medium':
      return '5.5';
    case 'low':
      return '3.0';
    default:
      return undefined;
  }
}

const DETECTOR_TITLES: Readonly<Record<string, string>> = {
  schema: 'Malformed record or schema inconsistency',
  secrets: 'Credential or secret in a record',
  pii: 'Personal data in a record',
  unicode: 'Hidden or deceptive Unicode',
  injection: 'Prompt injection or exfiltration content',
  duplicates: 'Duplicate or near-duplicate records',
  contamination: 'Benchmark contamination',
  poisoning: 'Data-poisoning trigger',
  drift: 'Drift from the baseline delivery',
};

/** `aws-access-key-id` → `AwsAccessKeyId`; SARIF §3.49.7 wants a readable name distinct from the id. */
function pascal(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/**
 * A relative path as a URI reference (RFC 3986 §4.2): each segment percent-encoded, so names with
 * spaces, `#`, `?`, `%` or non-ASCII stay one valid, unambiguous path.
 */
export function pathToUriReference(file: string): string {
  return file
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function ruleKey(f: Finding): string {
  return `${f.detector}/${f.rule}`;
}

/** Render the report as a SARIF 2.1.0 log (pretty-printed JSON, deterministic for a given report). */
export function renderSarif(report: InspectReport): string {
  return `${JSON.stringify(buildSarif(report), null, 2)}\n`;
}

/** The SARIF log as a plain object (what renderSarif serialises). */
export function buildSarif(report: InspectReport): SarifLog {
  // Rules: one per detector/rule seen, sorted by id so the output does not depend on finding order.
  const worst = new Map<string, Finding>();
  for (const f of report.findings) {
    const cur = worst.get(ruleKey(f));
    if (cur === undefined || severityRank(f.severity) > severityRank(cur.severity)) worst.set(ruleKey(f), f);
  }
  const ruleIds = [...worst.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const cut = truncatedRules(report);
  const cutByRule = new Map(cut.map((t) => [`${t.detector}/${t.rule}`, t]));
  const rules = ruleIds.map((id): SarifRule => {
    const f = worst.get(id) as Finding;
    const partial = cutByRule.get(id);
    const sec = securitySeverity(f.severity);
    const title = DETECTOR_TITLES[f.detector] ?? `Finding of the ${f.detector} detector`;
    return {
      id,
      name: pascal(`${f.detector} ${f.rule}`) || 'Rule',
      shortDescription: { text: `${title}: ${f.rule}.` },
      defaultConfiguration: { level: sarifLevel(f.severity) },
      properties: {
        detector: f.detector,
        tags: ['security', 'training-data', f.detector],
        ...(sec === undefined ? {} : { 'security-severity': sec }),
        ...(partial === undefined ? {} : { resultsShown: partial.shown, resultsTotal: partial.total }),
      },
    };
  });
  // The per-rule cap: results list the first findings of these rules; counts cover all of them.
  const notes = cut.map((t) => ({
    level: 'note' as const,
    message: { text: `${truncationLabel(t)} findings (the per-rule cap); counts and the verdict cover all of them.` },
    properties: { detector: t.detector, rule: t.rule, shown: t.shown, total: t.total },
  }));

  const artifactIndex = new Map<string, number>();
  const artifacts = report.files.map((file, i) => {
    artifactIndex.set(file.path, i);
    return {
      location: { uri: pathToUriReference(file.path), uriBaseId: ROOT_BASE_ID },
      ...(Number.isSafeInteger(file.bytes) && file.bytes >= 0 ? { length: file.bytes } : {}),
      properties: { format: file.format, records: file.records },
    };
  });

  const seenPrints = new Map<string, number>();
  const results = report.findings.map((f): SarifResult => {
    const loc = f.location;
    const line = isPositiveInt(loc.line) ? loc.line : isPositiveInt(loc.row) ? loc.row : undefined;
    const idx = artifactIndex.get(loc.file);
    // Stable across runs of the same delivery: the hash names the finding, not its position in
    // this report. Repeats (two emails in one field) get an ordinal so fingerprints stay unique.
    const base = [f.detector, f.rule, loc.file, loc.index, loc.field ?? ''];
    const nth = seenPrints.get(JSON.stringify(base)) ?? 0;
    seenPrints.set(JSON.stringify(base), nth + 1);
    const print = sha256Hex(JSON.stringify(nth === 0 ? base : [...base, nth]));
    const record = `${loc.file}#${loc.index}`;
    return {
      ruleId: ruleKey(f),
      ruleIndex: ruleIndex.get(ruleKey(f)) ?? -1,
      level: sarifLevel(f.severity),
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: {
              uri: pathToUriReference(loc.file),
              uriBaseId: ROOT_BASE_ID,
              ...(idx === undefined ? {} : { index: idx }),
            },
            ...(line === undefined ? {} : { region: { startLine: line } }),
          },
          logicalLocations: [
            loc.field === undefined
              ? { name: `#${loc.index}`, fullyQualifiedName: record, kind: 'object' as const }
              : { name: loc.field, fullyQualifiedName: `${record}/${loc.field}`, kind: 'property' as const },
          ],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: print },
      properties: {
        severity: f.severity,
        confidence: f.confidence,
        detector: f.detector,
        file: loc.file,
        index: loc.index,
        ...(isPositiveInt(loc.line) ? { line: loc.line } : {}),
        ...(isPositiveInt(loc.row) ? { row: loc.row } : {}),
        ...(loc.field === undefined ? {} : { field: loc.field }),
        ...(loc.span === undefined ? {} : { span: [loc.span[0], loc.span[1]] }),
        ...(f.evidence === undefined ? {} : { evidence: f.evidence }),
        ...(f.data === undefined ? {} : { data: jsonData(f.data) }),
      },
    };
  });

  const root = report.roots.length === 1 ? report.roots[0] : undefined;
  // §3.14.14: a base URI given in originalUriBaseIds must be absolute and end with a slash; a
  // relative or multiple roots can only be described, which viewers still show.
  const rootLocation: SarifArtifactLocation =
    root !== undefined && isAbsolute(root)
      ? { uri: withSlash(pathToFileURL(root).href), description: { text: 'The inspected root; result paths are relative to it.' } }
      : {
          description: {
            text: `Result paths are relative to the inspected root${report.roots.length === 1 ? '' : 's'}: ${report.roots.join(', ') || '(none given)'}.`,
          },
        };

  const start = isDateTime(report.startedAt) ? { startTimeUtc: report.startedAt } : {};
  const end = isDateTime(report.finishedAt) ? { endTimeUtc: report.finishedAt } : {};

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            ...(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        invocations: [{ executionSuccessful: true, ...start, ...end, ...(notes.length > 0 ? { toolExecutionNotifications: notes } : {}) }],
        originalUriBaseIds: { [ROOT_BASE_ID]: rootLocation },
        artifacts,
        // Spans in finding properties count UTF-16 code units, as JavaScript strings do.
        columnKind: 'utf16CodeUnits' as const,
        results,
        properties: {
          reportSchema: report.schema,
          verdict: report.verdict,
          policy: report.policy.name,
          reasons: report.policy.reasons,
          roots: report.roots,
          counts: report.counts,
          detectors: report.detectors,
          ...(cut.length > 0 ? { truncated: cut } : {}),
        },
      },
    ],
  };
}

/** Detector data as plain JSON; a BigInt or a cycle must not take the whole report down. */
function jsonData(d: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(d)) as unknown;
  } catch {
    return { unserialisable: true };
  }
}

function withSlash(u: string): string {
  return u.endsWith('/') ? u : `${u}/`;
}

/** RFC 3339 date-time, the `format: date-time` of the SARIF schema. */
function isDateTime(s: unknown): s is string {
  return (
    typeof s === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(s) &&
    Number.isFinite(Date.parse(s))
  );
}

// ---------------------------------------------------------------------------------------------
// Structural validation

const LEVELS: readonly string[] = ['none', 'note', 'warning', 'error'];
const KINDS: readonly string[] = ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'];
const MAX_PROBLEMS = 200;

/**
 * Property names each SARIF 2.1.0 object may carry: the schema closes every one of these with
 * `additionalProperties: false`, so an unknown name is an error, not an extension point
 * (extensions go in `properties`, §3.8).
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  sarifLog: ['$schema', 'version', 'runs', 'inlineExternalProperties', 'properties'],
  run: [
    'tool', 'invocations', 'conversion', 'language', 'versionControlProvenance', 'originalUriBaseIds', 'artifacts',
    'logicalLocations', 'graphs', 'results', 'automationDetails', 'runAggregates', 'baselineGuid', 'redactionTokens',
    'defaultEncoding', 'defaultSourceLanguage', 'newlineSequences', 'columnKind', 'externalPropertyFileReferences',
    'threadFlowLocations', 'taxonomies', 'addresses', 'translations', 'policies', 'webRequests', 'webResponses',
    'specialLocations', 'properties',
  ],
  tool: ['driver', 'extensions', 'properties'],
  toolComponent: [
    'guid', 'name', 'organization', 'product', 'productSuite', 'shortDescription', 'fullDescription', 'fullName',
    'version', 'semanticVersion', 'dottedQuadFileVersion', 'releaseDateUtc', 'downloadUri', 'informationUri',
    'globalMessageStrings', 'notifications', 'rules', 'taxa', 'locations', 'language', 'contents', 'isComprehensive',
    'localizedDataSemanticVersion', 'minimumRequiredLocalizedDataSemanticVersion', 'associatedComponent',
    'translationMetadata', 'supportedTaxonomies', 'properties',
  ],
  reportingDescriptor: [
    'id', 'deprecatedIds', 'guid', 'deprecatedGuids', 'name', 'deprecatedNames', 'shortDescription', 'fullDescription',
    'messageStrings', 'defaultConfiguration', 'helpUri', 'help', 'relationships', 'properties',
  ],
  reportingConfiguration: ['enabled', 'level', 'rank', 'parameters', 'properties'],
  result: [
    'ruleId', 'ruleIndex', 'rule', 'kind', 'level', 'message', 'analysisTarget', 'locations', 'guid', 'correlationGuid',
    'occurrenceCount', 'partialFingerprints', 'fingerprints', 'stacks', 'codeFlows', 'graphs', 'graphTraversals',
    'relatedLocations', 'suppressions', 'baselineState', 'rank', 'attachments', 'hostedViewerUri', 'workItemUris',
    'provenance', 'fixes', 'taxa', 'webRequest', 'webResponse', 'properties',
  ],
  location: ['id', 'physicalLocation', 'logicalLocations', 'message', 'annotations', 'relationships', 'properties'],
  physicalLocation: ['address', 'artifactLocation', 'region', 'contextRegion', 'properties'],
  artifactLocation: ['uri', 'uriBaseId', 'index', 'description', 'properties'],
  region: [
    'startLine', 'startColumn', 'endLine', 'endColumn', 'charOffset', 'charLength', 'byteOffset', 'byteLength',
    'snippet', 'message', 'sourceLanguage', 'properties',
  ],
  logicalLocation: ['name', 'index', 'fullyQualifiedName', 'decoratedName', 'parentIndex', 'kind', 'properties'],
  message: ['text', 'markdown', 'id', 'arguments', 'properties'],
  multiformatMessageString: ['text', 'markdown', 'properties'],
  invocation: [
    'commandLine', 'arguments', 'responseFiles', 'startTimeUtc', 'endTimeUtc', 'exitCode', 'ruleConfigurationOverrides',
    'notificationConfigurationOverrides', 'toolExecutionNotifications', 'toolConfigurationNotifications',
    'exitCodeDescription', 'exitSignalName', 'exitSignalNumber', 'processStartFailureMessage', 'executionSuccessful',
    'machine', 'account', 'processId', 'executableLocation', 'workingDirectory', 'environmentVariables', 'stdin',
    'stdout', 'stderr', 'stdoutStderr', 'properties',
  ],
  artifact: [
    'description', 'location', 'parentIndex', 'offset', 'length', 'roles', 'mimeType', 'contents', 'encoding',
    'sourceLanguage', 'hashes', 'lastModifiedTimeUtc', 'properties',
  ],
};

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 3986 URI-reference characters, with well-formed percent escapes. */
const URI_REF = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

class Checker {
  readonly problems: string[] = [];
  private dropped = 0;

  add(path: string, what: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(`${path}: ${what}`);
    else this.dropped++;
  }

  finish(): string[] {
    if (this.dropped > 0) this.problems.push(`… and ${this.dropped} more problem(s)`);
    return this.problems;
  }

  /** The value as an object of the given SARIF kind, reporting unknown property names; undefined if not an object. */
  obj(path: string, v: unknown, kind: keyof typeof ALLOWED): Obj | undefined {
    if (!isObj(v)) {
      this.add(path, `must be an object (${kind}), found ${describe(v)}`);
      return undefined;
    }
    const allowed = ALLOWED[kind] ?? [];
    for (const k of Object.keys(v)) if (!allowed.includes(k)) this.add(path, `unknown property ${JSON.stringify(k)} in ${kind}`);
    if ('properties' in v) this.propertyBag(`${path}.properties`, v['properties']);
    return v;
  }

  str(path: string, v: unknown, required: boolean): v is string {
    if (v === undefined) {
      if (required) this.add(path, 'required string is missing');
      return false;
    }
    if (typeof v !== 'string') {
      this.add(path, `must be a string, found ${describe(v)}`);
      return false;
    }
    return true;
  }

  int(path: string, v: unknown, min: number): v is number {
    if (v === undefined) return false;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.add(path, `must be an integer, found ${describe(v)}`);
      return false;
    }
    if (v < min) {
      this.add(path, `must be ≥ ${min}, found ${v}`);
      return false;
    }
    return true;
  }

  arr(path: string, v: unknown): unknown[] | undefined {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.add(path, `must be an array, found ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  oneOf(path: string, v: unknown, allowed: readonly string[]): void {
    if (v === undefined) return;
    if (typeof v !== 'string' || !allowed.includes(v)) this.add(path, `${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
  }

  uri(path: string, v: unknown, absolute: boolean): void {
    if (!this.str(path, v, false)) return;
    if (!URI_REF.test(v)) this.add(path, `${JSON.stringify(v)} is not a valid URI reference (RFC 3986)`);
    else if (absolute && !URI_SCHEME.test(v)) this.add(path, `${JSON.stringify(v)} must be an absolute URI`);
  }

  propertyBag(path: string, v: unknown): void {
    if (!isObj(v)) {
      this.add(path, `must be an object (propertyBag), found ${describe(v)}`);
      return;
    }
    const tags = this.arr(`${path}.tags`, v['tags']);
    if (tags !== undefined) {
      if (!tags.every((t) => typeof t === 'string')) this.add(`${path}.tags`, 'must hold strings only');
      else if (new Set(tags).size !== tags.length) this.add(`${path}.tags`, 'must not repeat a tag');
    }
  }

  message(path: string, v: unknown, kind: 'message' | 'multiformatMessageString'): void {
    const m = this.obj(path, v, kind);
    if (m === undefined) return;
    this.str(`${path}.text`, m['text'], kind === 'multiformatMessageString');
    this.str(`${path}.markdown`, m['markdown'], false);
    if (kind === 'message') {
      this.str(`${path}.id`, m['id'], false);
      if (m['text'] === undefined && m['id'] === undefined) this.add(path, 'a message needs text or id');
    }
  }

  artifactLocation(path: string, v: unknown, artifacts: number, baseIds: ReadonlySet<string> | undefined): void {
    const a = this.obj(path, v, 'artifactLocation');
    if (a === undefined) return;
    this.uri(`${path}.uri`, a['uri'], false);
    if (this.str(`${path}.uriBaseId`, a['uriBaseId'], false) && baseIds !== undefined && !baseIds.has(a['uriBaseId'] as string)) {
      this.add(`${path}.uriBaseId`, `${JSON.stringify(a['uriBaseId'])} is not defined in run.originalUriBaseIds`);
    }
    if (this.int(`${path}.index`, a['index'], -1) && (a['index'] as number) >= artifacts) {
      this.add(`${path}.index`, `${String(a['index'])} is out of range: the run has ${artifacts} artifact(s)`);
    }
    if (a['description'] !== undefined) this.message(`${path}.description`, a['description'], 'message');
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}` : typeof v;
}

/**
 * Structural check of a SARIF 2.1.0 log: required properties, types, enums, closed objects and
 * index consistency (ruleIndex, artifact index, uriBaseId). Returns problems as `path: what`,
 * empty when none. A fast guard for our own output; Microsoft's SARIF Multitool is the reference.
 */
export function validateSarif(doc: unknown): string[] {
  const c = new Checker();
  const log = c.obj('$', doc, 'sarifLog');
  if (log === undefined) return c.finish();
  c.uri('$.$schema', log['$schema'], true);
  if (log['version'] !== SARIF_VERSION) c.add('$.version', `must be "${SARIF_VERSION}", found ${describe(log['version'])}`);
  const runs = c.arr('$.runs', log['runs']);
  if (log['runs'] === undefined) c.add('$.runs', 'required array is missing');
  runs?.forEach((r, i) => checkRun(c, `$.runs[${i}]`, r));
  return c.finish();
}

function checkRun(c: Checker, path: string, v: unknown): void {
  const run = c.obj(path, v, 'run');
  if (run === undefined) return;

  // tool.driver
  let rules: unknown[] = [];
  const tool = run['tool'] === undefined ? (c.add(`${path}.tool`, 'required object is missing'), undefined) : c.obj(`${path}.tool`, run['tool'], 'tool');
  if (tool !== undefined) {
    const driver =
      tool['driver'] === undefined
        ? (c.add(`${path}.tool.driver`, 'required object is missing'), undefined)
        : c.obj(`${path}.tool.driver`, tool['driver'], 'toolComponent');
    if (driver !== undefined) {
      const dp = `${path}.tool.driver`;
      c.str(`${dp}.name`, driver['name'], true);
      c.str(`${dp}.version`, driver['version'], false);
      c.str(`${dp}.semanticVersion`, driver['semanticVersion'], false);
      c.uri(`${dp}.informationUri`, driver['informationUri'], true);
      rules = c.arr(`${dp}.rules`, driver['rules']) ?? [];
      const ids = new Set<string>();
      rules.forEach((r, i) => {
        const rp = `${dp}.rules[${i}]`;
        const rule = c.obj(rp, r, 'reportingDescriptor');
        if (rule === undefined) return;
        if (c.str(`${rp}.id`, rule['id'], true)) {
          if (ids.has(rule['id'] as string)) c.add(`${rp}.id`, `duplicate rule id ${JSON.stringify(rule['id'])}`);
          ids.add(rule['id'] as string);
        }
        c.str(`${rp}.name`, rule['name'], false);
        if (rule['shortDescription'] !== undefined) c.message(`${rp}.shortDescription`, rule['shortDescription'], 'multiformatMessageString');
        if (rule['fullDescription'] !== undefined) c.message(`${rp}.fullDescription`, rule['fullDescription'], 'multiformatMessageString');
        c.uri(`${rp}.helpUri`, rule['helpUri'], true);
        if (rule['defaultConfiguration'] !== undefined) {
          const conf = c.obj(`${rp}.defaultConfiguration`, rule['defaultConfiguration'], 'reportingConfiguration');
          if (conf !== undefined) c.oneOf(`${rp}.defaultConfiguration.level`, conf['level'], LEVELS);
        }
      });
    }
  }

  // originalUriBaseIds (§3.14.14): each base is an artifactLocation; a base with a uri must be absolute or itself based, and end with '/'.
  let baseIds: Set<string> | undefined;
  if (run['originalUriBaseIds'] !== undefined) {
    baseIds = new Set();
    const bases = run['originalUriBaseIds'];
    if (!isObj(bases)) c.add(`${path}.originalUriBaseIds`, `must be an object, found ${describe(bases)}`);
    else
      for (const [k, b] of Object.entries(bases)) {
        baseIds.add(k);
        const bp = `${path}.originalUriBaseIds.${k}`;
        c.artifactLocation(bp, b, Number.MAX_SAFE_INTEGER, undefined);
        if (isObj(b) && typeof b['uri'] === 'string') {
          if (!b['uri'].endsWith('/')) c.add(`${bp}.uri`, 'a base URI must end with "/"');
          if (b['uriBaseId'] === undefined && !URI_SCHEME.test(b['uri'])) c.add(`${bp}.uri`, 'must be absolute when it has no uriBaseId');
        }
      }
  }

  const artifacts = c.arr(`${path}.artifacts`, run['artifacts']) ?? [];
  artifacts.forEach((a, i) => {
    const ap = `${path}.artifacts[${i}]`;
    const art = c.obj(ap, a, 'artifact');
    if (art === undefined) return;
    if (art['location'] !== undefined) c.artifactLocation(`${ap}.location`, art['location'], artifacts.length, baseIds);
    c.int(`${ap}.length`, art['length'], -1);
  });

  const invocations = c.arr(`${path}.invocations`, run['invocations']) ?? [];
  invocations.forEach((inv, i) => {
    const ip = `${path}.invocations[${i}]`;
    const o = c.obj(ip, inv, 'invocation');
    if (o === undefined) return;
    if (typeof o['executionSuccessful'] !== 'boolean') c.add(`${ip}.executionSuccessful`, `required boolean, found ${describe(o['executionSuccessful'])}`);
    for (const k of ['startTimeUtc', 'endTimeUtc'] as const) {
      if (c.str(`${ip}.${k}`, o[k], false) && !isDateTime(o[k])) c.add(`${ip}.${k}`, 'must be an RFC 3339 date-time');
    }
  });

  c.oneOf(`${path}.columnKind`, run['columnKind'], ['utf16CodeUnits', 'unicodeCodePoints']);

  const results = c.arr(`${path}.results`, run['results']) ?? [];
  results.forEach((r, i) => checkResult(c, `${path}.results[${i}]`, r, rules, artifacts.length, baseIds));
}

function checkResult(
  c: Checker,
  path: string,
  v: unknown,
  rules: readonly unknown[],
  artifacts: number,
  baseIds: ReadonlySet<string> | undefined,
): void {
  const res = c.obj(path, v, 'result');
  if (res === undefined) return;
  if (res['message'] === undefined) c.add(`${path}.message`, 'required object is missing');
  else c.message(`${path}.message`, res['message'], 'message');
  c.oneOf(`${path}.level`, res['level'], LEVELS);
  c.oneOf(`${path}.kind`, res['kind'], KINDS);
  // §3.27.5–6: ruleIndex points into tool.driver.rules and ruleId, when both are present, must
  // equal that rule's id or be a hierarchical refinement of it (`id/sub`).
  const hasId = c.str(`${path}.ruleId`, res['ruleId'], false);
  if (c.int(`${path}.ruleIndex`, res['ruleIndex'], -1) && (res['ruleIndex'] as number) >= 0) {
    const ri = res['ruleIndex'] as number;
    const rule = rules[ri];
    if (rule === undefined) c.add(`${path}.ruleIndex`, `${ri} is out of range: the driver has ${rules.length} rule(s)`);
    else if (hasId && isObj(rule) && typeof rule['id'] === 'string') {
      const id = res['ruleId'] as string;
      if (id !== rule['id'] && !id.startsWith(`${rule['id']}/`)) c.add(`${path}.ruleId`, `${JSON.stringify(id)} does not match rules[${ri}].id ${JSON.stringify(rule['id'])}`);
    }
  }
  if (!hasId && res['ruleIndex'] === undefined && res['rule'] === undefined) c.add(path, 'a result needs ruleId, ruleIndex or rule');

  const locations = c.arr(`${path}.locations`, res['locations']) ?? [];
  locations.forEach((l, i) => {
    const lp = `${path}.locations[${i}]`;
    const loc = c.obj(lp, l, 'location');
    if (loc === undefined) return;
    if (loc['physicalLocation'] !== undefined) {
      const pp = `${lp}.physicalLocation`;
      const phys = c.obj(pp, loc['physicalLocation'], 'physicalLocation');
      if (phys !== undefined) {
        if (phys['artifactLocation'] === undefined && phys['address'] === undefined) c.add(pp, 'needs artifactLocation or address');
        if (phys['artifactLocation'] !== undefined) c.artifactLocation(`${pp}.artifactLocation`, phys['artifactLocation'], artifacts, baseIds);
        if (phys['region'] !== undefined) {
          const reg = c.obj(`${pp}.region`, phys['region'], 'region');
          if (reg !== undefined) {
            c.int(`${pp}.region.startLine`, reg['startLine'], 1);
            c.int(`${pp}.region.startColumn`, reg['startColumn'], 1);
            c.int(`${pp}.region.endLine`, reg['endLine'], 1);
            c.int(`${pp}.region.endColumn`, reg['endColumn'], 1);
            c.int(`${pp}.region.charOffset`, reg['charOffset'], -1);
            c.int(`${pp}.region.charLength`, reg['charLength'], 0);
            if (
              typeof reg['startLine'] === 'number' &&
              typeof reg['endLine'] === 'number' &&
              reg['endLine'] < reg['startLine']
            ) {
              c.add(`${pp}.region.endLine`, 'must not be before startLine');
            }
          }
        }
      }
    }
    const logical = c.arr(`${lp}.logicalLocations`, loc['logicalLocations']) ?? [];
    logical.forEach((ll, j) => {
      const llp = `${lp}.logicalLocations[${j}]`;
      const o = c.obj(llp, ll, 'logicalLocation');
      if (o === undefined) return;
      for (const k of ['name', 'fullyQualifiedName', 'decoratedName', 'kind'] as const) c.str(`${llp}.${k}`, o[k], false);
      c.int(`${llp}.index`, o['index'], -1);
      c.int(`${llp}.parentIndex`, o['parentIndex'], -1);
    });
  });

  for (const k of ['partialFingerprints', 'fingerprints'] as const) {
    const fp = res[k];
    if (fp === undefined) continue;
    if (!isObj(fp)) c.add(`${path}.${k}`, `must be an object, found ${describe(fp)}`);
    else for (const [name, val] of Object.entries(fp)) if (typeof val !== 'string') c.add(`${path}.${k}.${name}`, `must be a string, found ${describe(val)}`);
  }
}
