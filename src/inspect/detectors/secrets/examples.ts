/**
 * Publicly documented example credentials. They are still reported (a delivery full of doc
 * examples says something about its origin), but as severity `info` with `data.example = true`.
 */
import { jwtPayload } from './validators.js';

// Values copied from vendor documentation; they grant nothing.
const KNOWN_EXAMPLES = new Set<string>([
  'AKIAIOSFODNN7EXAMPLE', // AWS IAM user guide
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', // AWS IAM user guide
  'AKIAI44QH8DHBEXAMPLE', // AWS SigV4 docs
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY', // AWS SigV4 docs
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc', // Stripe API reference
  'pk_test_TYooMQauvdEDq54NiTphI7jx', // Stripe API reference
  'sk_test_BQokikJOvBiI2HlWgH4olfQ2', // older Stripe docs
]);

// GitHub's docs reuse one body for every token kind (gho_, ghp_, ghu_, ghs_, ghr_).
const GITHUB_DOCS_BODY = '16C7e42F292c6912E7710c838347Ae178B4a';

/** True when `secret`, reported under `ruleId`, is a publicly documented example value. */
export function isDocumentedExample(ruleId: string, secret: string): boolean {
  if (KNOWN_EXAMPLES.has(secret)) return true;
  if (ruleId.startsWith('aws-') && /EXAMPLE(?:KEY)?$/.test(secret)) return true; // AWS docs convention
  if (ruleId.startsWith('github-') && secret.endsWith(GITHUB_DOCS_BODY)) return true;
  if (ruleId === 'jwt') {
    // jwt.io's sample token (both editions): sub "1234567890", name "John Doe".
    const p = jwtPayload(secret);
    if (p !== undefined && p['sub'] === '1234567890' && p['name'] === 'John Doe') return true;
  }
  return false;
}
