/** inspect/policy: the default policy, policy files (YAML/JSON) and verdicts from findings. */
export {
  DEFAULT_POLICY,
  SEVERITIES,
  VERDICTS,
  applyPolicy,
  verdictRank,
  worstVerdict,
  type Policy,
  type PolicyCondition,
  type PolicyIgnore,
  type PolicyOutcome,
  type PolicyRule,
} from './policy.js';
export { PolicyAccumulator } from './accumulate.js';
export { PolicyError, loadPolicy, parsePolicy, validatePolicy, type PolicyIssue } from './load.js';
