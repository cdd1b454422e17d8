/**
 * Findings as lineage sees them (DESIGN §6 "impact <selector> ... finding"): intake stores each
 * inspected delivery's findings (no evidence values), and an impact query can start from every
 * delivery that raised a given detector's (or one rule's) findings.
 */
import { LineageError } from './errors.js';
import type { Selector, TimeWindow } from './types.js';

/** One stored finding: where it is and what it says, never the offending value itself. */
export interface StoredFinding {
  readonly detector: string;
  readonly rule: string;
  readonly severity: string;
  readonly confidence: number;
  readonly file: string;
  readonly index: number;
  readonly field?: string;
  readonly message: string;
}

/** Where findings are kept (the Store implements it next to the record index). */
export interface FindingIndex {
  /** Replaces the findings of a delivery; `changed` is false when they were already exactly these. */
  putFindings(deliveryId: string, findings: readonly StoredFinding[]): Promise<{ readonly changed: boolean }>;
  getFindings(deliveryId: string): Promise<StoredFinding[]>;
  /** Ids of deliveries with at least one finding of the detector (and rule, when given), sorted. */
  deliveriesWithFindings(detector: string, rule?: string): Promise<string[]>;
}

/** `finding:DETECTOR[/RULE]`: deliveries that raised such findings, and everything downstream. */
export interface FindingSelector {
  readonly kind: 'finding';
  readonly detector: string;
  readonly rule?: string;
}

/** Every selector impact understands. */
export type ImpactSelector = Selector | FindingSelector;

const DETECTOR_RE = /^[a-z][a-z0-9-]{0,39}$/;
const RULE_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** Parses `finding:DETECTOR[/RULE]` (e.g. finding:poisoning, finding:secrets/aws-access-key). */
export function parseFindingSelector(text: string, window: TimeWindow = {}): FindingSelector {
  if (!text.startsWith('finding:')) throw new LineageError('LINEAGE_SELECTOR_INVALID', `selector ${JSON.stringify(text.slice(0, 80))} is not finding:DETECTOR[/RULE]`);
  if (window.from !== undefined || window.to !== undefined) throw new LineageError('LINEAGE_SELECTOR_INVALID', '--from/--to apply to vendor, key and annotator selectors, not finding');
  const value = text.slice('finding:'.length);
  const slash = value.indexOf('/');
  const detector = slash < 0 ? value : value.slice(0, slash);
  const rule = slash < 0 ? undefined : value.slice(slash + 1);
  if (!DETECTOR_RE.test(detector) || (rule !== undefined && !RULE_RE.test(rule))) {
    throw new LineageError('LINEAGE_SELECTOR_INVALID', `selector ${JSON.stringify(text.slice(0, 80))} must be finding:DETECTOR or finding:DETECTOR/RULE (e.g. finding:poisoning, finding:secrets/aws-access-key)`);
  }
  return rule === undefined ? { kind: 'finding', detector } : { kind: 'finding', detector, rule };
}
