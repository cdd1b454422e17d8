/** inspect/report: render an InspectReport as SARIF 2.1.0, a self-contained HTML page or a terminal summary. */
export { renderSarif, buildSarif, validateSarif, sarifLevel, pathToUriReference, SARIF_SCHEMA_URI, SARIF_VERSION, ROOT_BASE_ID } from './sarif.js';
export type { SarifLevel, SarifLog, SarifRun, SarifResult, SarifRule, SarifArtifactLocation, SarifLogicalLocation, SarifMessage } from './sarif.js';
export { renderHtml, escapeHtml, HTML_MAX_ROWS } from './html.js';
export type { HtmlOptions } from './html.js';
export { renderText } from './text.js';
export type { TextOptions } from './text.js';
