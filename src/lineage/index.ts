/** lineage: the graph model, content-based derivation, impact, trace, vendor report, BOM export (DESIGN §6). */
export { LineageError, LINEAGE_ERROR_CODES, type LineageErrorCode } from './errors.js';
export * from './types.js';
export { checkName, parseTime, parseWindow, windowsOverlap } from './validate.js';
export { deriveDataset, matchDeliveries, readDigests, type DeriveOptions, type DeriveResult, type ReadDigests } from './derive.js';
