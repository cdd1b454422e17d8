/** lineage: the graph model, content-based derivation, impact, trace, vendor report, BOM export (DESIGN §6). */
export { LineageError, LINEAGE_ERROR_CODES, type LineageErrorCode } from './errors.js';
export * from './types.js';
export { checkName, parseTime, parseWindow, windowsOverlap } from './validate.js';
export { deriveDataset, matchDeliveries, readDigests, type DeriveOptions, type DeriveResult, type ReadDigests } from './derive.js';
export { registerRun, registerModel, registerDeployment, addIncident, type RunInput } from './declare.js';
export { parseOpenLineage, importOpenLineage, type ImportedRun, type OpenLineageOptions } from './openlineage.js';
export {
  parseSelector,
  parseImpactSelector,
  computeImpact,
  pathText,
  type ImpactReport,
  type PathStep,
  type PlanStep,
  type AffectedDataset,
  type AffectedDelivery,
  type AffectedDeployment,
  type AffectedModel,
  type AffectedRun,
} from './impact.js';
export { traceDump, type TraceReport } from './trace.js';
export { pauseVendor, resumeVendor, vendorReport, hhi, ASSURANCE_LEVELS, type AssuranceLevel, type VendorSummary, type ModelConcentration, type VendorReport } from './vendor.js';
export { exportBom, BOM_FORMATS, type BomFormat, type BomDeliveryLookup } from './bom.js';
export { parseFindingSelector, type FindingIndex, type FindingSelector, type ImpactSelector, type StoredFinding } from './findings.js';
