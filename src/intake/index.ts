/**
 * intake: the lab's one decision per delivery (DESIGN §1, issue 5): trust file, seal, log receipt,
 * inspection by policy, registration with findings and evidence. It sits above store (it
 * registers), so it cannot live in lineage/, which store itself depends on.
 */
export { IntakeError, INTAKE_ERROR_CODES, type IntakeErrorCode } from './errors.js';
export { loadTrust, parseTrust, findTrustedKey, type ParseTrustOptions, type TrustConfig, type TrustedKey, type TrustedLog, type TrustIssue } from './trust.js';
export { intakeDelivery, type IntakeOptions, type IntakeResult, type IntakeSummary, type IntakeTime } from './intake.js';
