/**
 * The secret rule table. One entry per credential type: adding a type is adding one entry.
 * Every pattern is linear-time on adversarial input (bounded quantifiers, no nested repetition),
 * and only runs when one of its lowercase `keywords` occurs in the text (one combined prefilter).
 */
import type { Severity } from '../../types.js';
import { charClasses, checksumTokenValid, isPlaceholder, jwtHeaderAlg, jwtPayload, shannonEntropy } from './validators.js';

/** What a validator sees besides the candidate secret. */
export interface RuleContext {
  /** The whole field text. */
  readonly text: string;
  /** Offsets of the full regex match in `text`. */
  readonly matchStart: number;
  readonly matchEnd: number;
}

/** A validator's acceptance: overrides for the rule defaults; `null` rejects the candidate. */
export interface Verdict {
  readonly confidence?: number;
  readonly severity?: Severity;
  readonly data?: Readonly<Record<string, string | number | boolean>>;
  /** Narrow the reported span to [start, end) of the text (e.g. the password inside a JDBC URL). */
  readonly span?: readonly [number, number];
}

export interface SecretRule {
  /** Stable rule id, e.g. `aws-access-key-id`. */
  readonly id: string;
  /** Human name used in messages, e.g. `AWS access key ID`. */
  readonly title: string;
  /** Global regex; capture group `group` (default 1), when present, is the secret (else the whole match). */
  readonly pattern: RegExp;
  readonly group?: number;
  /** Lowercase literals; the rule runs only when one occurs in the (case-folded) text. */
  readonly keywords: readonly string[];
  /**
   * A cheap non-global regex that every match of `pattern` contains: the rule runs only when it
   * matches too. For patterns whose failed attempts are costly (long bounded gaps).
   */
  readonly requires?: RegExp;
  readonly severity: Severity;
  /** Default confidence in 0..1. */
  readonly confidence: number;
  /** Reject candidates whose Shannon entropy (bits/char) is below this. */
  readonly minEntropy?: number;
  readonly validate?: (secret: string, ctx: RuleContext) => Verdict | null;
}

// Token boundaries: a token must not be glued to more token characters on either side.
const B = '(?<![A-Za-z0-9_])';
const BD = '(?<![A-Za-z0-9_-])';
const E = '(?![A-Za-z0-9_])';
const ED = '(?![A-Za-z0-9_-])';
// `name = value`, `name: value`, `"name": "value"`, `name => value`, `NAME=value` (bounded gaps).
const ASSIGN = `[A-Za-z0-9_.-]{0,24}["'\`]?\\s{0,4}(?::=|=>|==|[:=])\\s{0,4}["'\`]?`;

const rx = (source: string, flags = ''): RegExp => new RegExp(source, `dg${flags}`);

/** GitHub/npm CRC32-checksummed tokens: a bad checksum stays reported, with lower confidence. */
const checksummed = (secret: string): Verdict => {
  const ok = checksumTokenValid(secret);
  return ok ? { confidence: 0.99, data: { checksum: 'valid' } } : { confidence: 0.4, severity: 'medium', data: { checksum: 'invalid' } };
};

/** Stripe-style live/test split: live keys keep the rule severity, test keys are low. */
const liveOrTest = (secret: string): Verdict =>
  secret.includes('_test_') ? { severity: 'low', data: { mode: 'test' } } : { data: { mode: 'live' } };

/** Connection string password: reject empty, placeholder and obvious variable references. */
const urlPassword = (secret: string): Verdict | null => {
  let pw = secret;
  try {
    pw = decodeURIComponent(secret);
  } catch {
    // keep raw when not valid percent-encoding
  }
  if (isPlaceholder(pw) || pw.length < 3) return null;
  return {};
};

const dbUrl = (id: string, title: string, schemes: string, keywords: readonly string[]): SecretRule => ({
  id,
  title,
  // scheme://user:PASSWORD@host — the password is group 1; user and password exclude the delimiters.
  pattern: rx(`(?<![A-Za-z0-9+.-])(?:${schemes})://[^\\s:/@"'<>]{0,128}:([^\\s@/"'<>]{1,256})@[A-Za-z0-9.\\[\\]_-]{1,253}`, 'i'),
  keywords,
  severity: 'high',
  confidence: 0.9,
  validate: urlPassword,
});

const GENERIC_KEYS =
  '(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|client[_-]?secret|credentials?)';

export const SECRET_RULES: readonly SecretRule[] = [
  // ── Cloud ───────────────────────────────────────────────────────────────────────────────────
  {
    id: 'aws-access-key-id',
    title: 'AWS access key ID',
    // Key ids are 20 chars of base32 (A-Z, 2-7) behind a 4-char kind prefix (AKIA long-term, ASIA STS).
    pattern: rx(`${B}((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})${E}`),
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    severity: 'critical',
    confidence: 0.9,
    validate: (s) => (s.startsWith('ASIA') ? { severity: 'high', data: { kind: 'temporary' } } : {}),
  },
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key',
    pattern: rx(`(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)${ASSIGN}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`, 'i'),
    keywords: ['secret_access', 'secretaccess', 'aws_secret', 'awssecret', 'secret_key'],
    severity: 'critical',
    confidence: 0.9,
    minEntropy: 3.5,
  },
  {
    id: 'aws-session-token',
    title: 'AWS session token',
    pattern: rx(`(?:aws_?session_?token|sessiontoken)${ASSIGN}([A-Za-z0-9/+=]{100,2000})`, 'i'),
    keywords: ['session_token', 'sessiontoken'],
    severity: 'high',
    confidence: 0.85,
    minEntropy: 4,
  },
  {
    id: 'gcp-service-account-key',
    title: 'Google Cloud service-account key',
    // A service-account JSON key carries its private key id next to "type": "service_account".
    pattern: rx(`"private_key_id"\\s{0,4}:\\s{0,4}"([a-f0-9]{40})"`),
    keywords: ['private_key_id'],
    severity: 'critical',
    confidence: 0.9,
    validate: (_s, ctx) => (ctx.text.includes('service_account') ? {} : { confidence: 0.6 }),
  },
  {
    id: 'gcp-api-key',
    title: 'Google API key',
    pattern: rx(`${BD}(AIza[0-9A-Za-z_-]{35})${ED}`),
    keywords: ['aiza'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'gcp-oauth-client-secret',
    title: 'Google OAuth client secret',
    pattern: rx(`${BD}(GOCSPX-[0-9A-Za-z_-]{28})${ED}`),
    keywords: ['gocspx-'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'azure-storage-account-key',
    title: 'Azure storage account key',
    // Connection strings: DefaultEndpointsProtocol=...;AccountName=...;AccountKey=<88 base64 chars>
    pattern: rx(`AccountKey\\s{0,2}=\\s{0,2}([A-Za-z0-9+/]{86}==)`, 'i'),
    keywords: ['accountkey'],
    severity: 'critical',
    confidence: 0.95,
  },
  {
    id: 'azure-sas-token',
    title: 'Azure shared access signature',
    pattern: rx(`[?&;]sig=([A-Za-z0-9%+/]{40,100}(?:%3D|=){0,2})`, 'i'),
    keywords: ['sig='],
    severity: 'high',
    confidence: 0.85,
    // A SAS URL also carries the service version (sv=) and expiry (se=) parameters.
    validate: (_s, ctx) => {
      const around = ctx.text.slice(Math.max(0, ctx.matchStart - 400), ctx.matchEnd + 400);
      return /[?&;]sv=\d{4}-\d{2}-\d{2}/.test(around) ? {} : null;
    },
  },
  {
    id: 'azure-ad-client-secret',
    title: 'Azure AD client secret',
    pattern: rx(`(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])`),
    keywords: ['q~'],
    severity: 'critical',
    confidence: 0.85,
    minEntropy: 3.5,
  },
  {
    id: 'digitalocean-token',
    title: 'DigitalOcean token',
    pattern: rx(`${B}(do[opr]_v1_[a-f0-9]{64})${E}`),
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    severity: 'critical',
    confidence: 0.95,
  },
  {
    id: 'hashicorp-vault-token',
    title: 'HashiCorp Vault token',
    pattern: rx(`${B}(hv[sb]\\.[A-Za-z0-9_-]{90,250})${ED}`),
    keywords: ['hvs.', 'hvb.'],
    severity: 'critical',
    confidence: 0.9,
  },
  {
    id: 'terraform-cloud-token',
    title: 'Terraform Cloud API token',
    pattern: rx(`${B}([A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70})${ED}`),
    keywords: ['.atlasv1.'],
    severity: 'critical',
    confidence: 0.95,
  },
  // ── AI providers ────────────────────────────────────────────────────────────────────────────
  {
    id: 'anthropic-api-key',
    title: 'Anthropic API key',
    pattern: rx(`${BD}(sk-ant-(?:api|admin|sid|oat)\\d{2}-[A-Za-z0-9_-]{80,120})${ED}`),
    keywords: ['sk-ant-'],
    severity: 'critical',
    confidence: 0.97,
  },
  {
    id: 'openai-api-key',
    title: 'OpenAI API key',
    // Project/service/admin keys (sk-proj-…, sk-svcacct-…, sk-admin-…) and legacy sk-<48>; the
    // marker T3BlbkFJ ("OpenAI" in base64) raises confidence.
    pattern: rx(`${BD}(sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,250}|[A-Za-z0-9]{48}))${ED}`),
    keywords: ['sk-'],
    severity: 'critical',
    confidence: 0.8,
    minEntropy: 3.8,
    validate: (s) => (s.includes('T3BlbkFJ') ? { confidence: 0.98 } : {}),
  },
  {
    id: 'huggingface-token',
    title: 'Hugging Face access token',
    pattern: rx(`${B}(hf_[A-Za-z0-9]{34,40})${E}`),
    keywords: ['hf_'],
    severity: 'high',
    confidence: 0.9,
    minEntropy: 3.8,
  },
  {
    id: 'replicate-api-token',
    title: 'Replicate API token',
    pattern: rx(`${B}(r8_[A-Za-z0-9]{37})${E}`),
    keywords: ['r8_'],
    severity: 'high',
    confidence: 0.9,
    minEntropy: 3.5,
  },
  {
    id: 'groq-api-key',
    title: 'Groq API key',
    pattern: rx(`${B}(gsk_[A-Za-z0-9]{52})${E}`),
    keywords: ['gsk_'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'perplexity-api-key',
    title: 'Perplexity API key',
    pattern: rx(`${BD}(pplx-[A-Za-z0-9]{48})${ED}`),
    keywords: ['pplx-'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'xai-api-key',
    title: 'xAI API key',
    pattern: rx(`${BD}(xai-[A-Za-z0-9]{80})${ED}`),
    keywords: ['xai-'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'langsmith-api-key',
    title: 'LangSmith API key',
    pattern: rx(`${B}(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})${E}`),
    keywords: ['lsv2_'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'cohere-api-key',
    title: 'Cohere API key',
    pattern: rx(`(?:cohere|co)_?api_?key${ASSIGN}([A-Za-z0-9]{40})${E}`, 'i'),
    keywords: ['cohere', 'co_api_key', 'co_apikey'],
    severity: 'high',
    confidence: 0.85,
    minEntropy: 3.8,
  },
  {
    id: 'mistral-api-key',
    title: 'Mistral API key',
    pattern: rx(`mistral_?api_?key${ASSIGN}([A-Za-z0-9]{32})${E}`, 'i'),
    keywords: ['mistral'],
    severity: 'high',
    confidence: 0.85,
    minEntropy: 3.8,
  },
  // ── Source hosting and package registries ───────────────────────────────────────────────────
  ...(
    [
      ['github-pat', 'GitHub personal access token', 'ghp_'],
      ['github-oauth-token', 'GitHub OAuth access token', 'gho_'],
      ['github-user-to-server-token', 'GitHub App user-to-server token', 'ghu_'],
      ['github-server-to-server-token', 'GitHub App installation token', 'ghs_'],
      ['github-refresh-token', 'GitHub refresh token', 'ghr_'],
    ] as const
  ).map(
    ([id, title, prefix]): SecretRule => ({
      id,
      title,
      pattern: rx(`${B}(${prefix}[A-Za-z0-9]{36})${E}`),
      keywords: [prefix],
      severity: 'critical',
      confidence: 0.99,
      validate: checksummed,
    }),
  ),
  {
    id: 'github-fine-grained-pat',
    title: 'GitHub fine-grained personal access token',
    pattern: rx(`${B}(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})${E}`),
    keywords: ['github_pat_'],
    severity: 'critical',
    confidence: 0.97,
  },
  {
    id: 'gitlab-pat',
    title: 'GitLab personal access token',
    pattern: rx(`${BD}(glpat-[A-Za-z0-9_-]{20,64}(?:\\.[A-Za-z0-9]{2}\\.[A-Za-z0-9]{9})?)${ED}`),
    keywords: ['glpat-'],
    severity: 'critical',
    confidence: 0.95,
  },
  {
    id: 'gitlab-runner-token',
    title: 'GitLab runner or CI token',
    pattern: rx(`${BD}((?:glrt-|glcbt-|gldt-|glptt-|GR1348941)[A-Za-z0-9_-]{20,64})${ED}`),
    keywords: ['glrt-', 'glcbt-', 'gldt-', 'glptt-', 'gr1348941'],
    severity: 'high',
    confidence: 0.9,
  },
  {
    id: 'bitbucket-app-password',
    title: 'Bitbucket app password',
    pattern: rx(`${B}(ATBB[A-Za-z0-9_=.-]{28,40})${ED}`),
    keywords: ['atbb'],
    severity: 'high',
    confidence: 0.85,
    minEntropy: 3.5,
  },
  {
    id: 'atlassian-api-token',
    title: 'Atlassian API token',
    pattern: rx(`${B}(ATATT3[A-Za-z0-9_=-]{180,200})${ED}`),
    keywords: ['atatt3'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'npm-token',
    title: 'npm access token',
    pattern: rx(`${B}(npm_[A-Za-z0-9]{36})${E}`),
    keywords: ['npm_'],
    severity: 'critical',
    confidence: 0.95,
    validate: checksummed,
  },
  {
    id: 'pypi-token',
    title: 'PyPI API token',
    // Macaroon serialisation: always starts with the base64 of "\x02\x01\x08pypi.org".
    pattern: rx(`${BD}(pypi-AgE[A-Za-z0-9_-]{50,300})${ED}`),
    keywords: ['pypi-age'],
    severity: 'critical',
    confidence: 0.95,
  },
  {
    id: 'dockerhub-pat',
    title: 'Docker Hub personal access token',
    pattern: rx(`${B}(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,32})${ED}`),
    keywords: ['dckr_'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'rubygems-api-key',
    title: 'RubyGems API key',
    pattern: rx(`${B}(rubygems_[a-f0-9]{48})${E}`),
    keywords: ['rubygems_'],
    severity: 'high',
    confidence: 0.95,
  },
  // ── Payment ─────────────────────────────────────────────────────────────────────────────────
  {
    id: 'stripe-secret-key',
    title: 'Stripe secret key',
    pattern: rx(`${B}(sk_(?:live|test)_[A-Za-z0-9]{24,99})${E}`),
    keywords: ['sk_live_', 'sk_test_'],
    severity: 'critical',
    confidence: 0.97,
    validate: liveOrTest,
  },
  {
    id: 'stripe-restricted-key',
    title: 'Stripe restricted key',
    pattern: rx(`${B}(rk_(?:live|test)_[A-Za-z0-9]{24,99})${E}`),
    keywords: ['rk_live_', 'rk_test_'],
    severity: 'critical',
    confidence: 0.97,
    validate: liveOrTest,
  },
  {
    id: 'stripe-publishable-key',
    title: 'Stripe publishable key',
    // Publishable keys are meant to ship in web pages: worth knowing, not an emergency.
    pattern: rx(`${B}(pk_(?:live|test)_[A-Za-z0-9]{24,99})${E}`),
    keywords: ['pk_live_', 'pk_test_'],
    severity: 'low',
    confidence: 0.95,
    validate: (s) => ({ data: { mode: s.includes('_test_') ? 'test' : 'live' } }),
  },
  {
    id: 'stripe-webhook-secret',
    title: 'Stripe webhook signing secret',
    pattern: rx(`${B}(whsec_[A-Za-z0-9]{32,64})${E}`),
    keywords: ['whsec_'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'square-access-token',
    title: 'Square access token',
    pattern: rx(`${BD}((?:EAAA[A-Za-z0-9_-]{60})|(?:sq0atp-[A-Za-z0-9_-]{22}))${ED}`),
    keywords: ['eaaa', 'sq0atp-'],
    severity: 'critical',
    confidence: 0.9,
    minEntropy: 3.5,
  },
  {
    id: 'square-oauth-secret',
    title: 'Square OAuth secret',
    pattern: rx(`${BD}(sq0csp-[A-Za-z0-9_-]{43})${ED}`),
    keywords: ['sq0csp-'],
    severity: 'critical',
    confidence: 0.95,
  },
  {
    id: 'braintree-access-token',
    title: 'PayPal Braintree access token',
    pattern: rx(`${B}(access_token\\$(?:production|sandbox)\\$[a-z0-9]{16}\\$[a-f0-9]{32})${E}`),
    keywords: ['access_token$'],
    severity: 'critical',
    confidence: 0.97,
    validate: (s) => (s.includes('$sandbox$') ? { severity: 'low', data: { mode: 'sandbox' } } : { data: { mode: 'production' } }),
  },
  {
    id: 'shopify-token',
    title: 'Shopify access token',
    pattern: rx(`${B}(shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32})${E}`),
    keywords: ['shpat_', 'shpss_', 'shpca_', 'shppa_'],
    severity: 'high',
    confidence: 0.95,
  },
  // ── Messaging ───────────────────────────────────────────────────────────────────────────────
  {
    id: 'slack-bot-token',
    title: 'Slack bot token',
    pattern: rx(`${BD}(xoxb-\\d{8,13}-\\d{8,13}-[A-Za-z0-9]{24,34})${ED}`),
    keywords: ['xoxb-'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'slack-user-token',
    title: 'Slack user token',
    pattern: rx(`${BD}(xox[pe]-\\d{8,13}-\\d{8,13}-\\d{8,13}-[a-f0-9]{32})${ED}`),
    keywords: ['xoxp-', 'xoxe-'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'slack-app-token',
    title: 'Slack app-level token',
    pattern: rx(`${BD}(xapp-\\d-[A-Z0-9]{8,12}-\\d{8,15}-[a-f0-9]{64})${ED}`),
    keywords: ['xapp-'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'slack-webhook-url',
    title: 'Slack incoming-webhook URL',
    pattern: rx(`(https://hooks\\.slack\\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,12}/[A-Z0-9]{6,12}/[A-Za-z0-9]{20,40})`),
    keywords: ['hooks.slack.com'],
    severity: 'medium',
    confidence: 0.95,
  },
  {
    id: 'discord-webhook-url',
    title: 'Discord webhook URL',
    pattern: rx(`(https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/\\d{15,22}/[A-Za-z0-9_-]{60,72})`),
    keywords: ['/api/webhooks/'],
    severity: 'medium',
    confidence: 0.95,
  },
  {
    id: 'discord-bot-token',
    title: 'Discord bot token',
    // <base64(user snowflake)>.<timestamp>.<hmac>; the first part must decode to 17-20 digits.
    pattern: rx(`${BD}([MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38})${ED}`),
    keywords: ['discord', 'bot '],
    severity: 'high',
    confidence: 0.8,
    validate: (s) => {
      const id = Buffer.from(s.slice(0, s.indexOf('.')), 'base64url').toString('latin1');
      return /^\d{17,20}$/.test(id) ? {} : null;
    },
  },
  {
    id: 'telegram-bot-token',
    title: 'Telegram bot token',
    pattern: rx(`(?<![0-9:])(\\d{8,10}:AA[A-Za-z0-9_-]{33})${ED}`),
    keywords: [':aa'],
    severity: 'high',
    confidence: 0.9,
  },
  {
    id: 'twilio-api-key',
    title: 'Twilio API key SID',
    // SK + 32 hex is too generic on its own: require Twilio named in the same field.
    pattern: rx(`${B}(SK[0-9a-f]{32})${E}`),
    keywords: ['twilio'],
    severity: 'high',
    confidence: 0.85,
    minEntropy: 3.2,
  },
  {
    id: 'twilio-auth-token',
    title: 'Twilio auth token',
    pattern: rx(`twilio[A-Za-z0-9_.-]{0,16}(?:auth_?token|token|secret)${ASSIGN}([a-f0-9]{32})${E}`, 'i'),
    keywords: ['twilio'],
    severity: 'high',
    confidence: 0.9,
    minEntropy: 3.2,
  },
  {
    id: 'sendgrid-api-key',
    title: 'SendGrid API key',
    pattern: rx(`${BD}(SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})${ED}`),
    keywords: ['sg.'],
    severity: 'high',
    confidence: 0.97,
  },
  {
    id: 'mailgun-api-key',
    title: 'Mailgun API key',
    pattern: rx(`${BD}(key-[a-f0-9]{32}|[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8})${ED}`),
    keywords: ['mailgun'],
    severity: 'high',
    confidence: 0.85,
    minEntropy: 3.2,
  },
  {
    id: 'mailchimp-api-key',
    title: 'Mailchimp API key',
    pattern: rx(`${B}([a-f0-9]{32}-us\\d{1,2})${ED}`),
    keywords: ['-us'],
    severity: 'high',
    confidence: 0.85,
    minEntropy: 3.2,
  },
  // ── Developer tooling and SaaS ──────────────────────────────────────────────────────────────
  {
    id: 'linear-api-key',
    title: 'Linear API key',
    pattern: rx(`${B}(lin_api_[A-Za-z0-9]{40})${E}`),
    keywords: ['lin_api_'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'newrelic-user-api-key',
    title: 'New Relic user API key',
    pattern: rx(`${BD}(NRAK-[A-Z0-9]{27})${ED}`),
    keywords: ['nrak-'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'postman-api-key',
    title: 'Postman API key',
    pattern: rx(`${BD}(PMAK-[a-f0-9]{24}-[a-f0-9]{34})${ED}`),
    keywords: ['pmak-'],
    severity: 'high',
    confidence: 0.95,
  },
  {
    id: 'notion-integration-token',
    title: 'Notion integration token',
    pattern: rx(`${B}((?:secret_[A-Za-z0-9]{43})|(?:ntn_[A-Za-z0-9]{46}))${E}`),
    keywords: ['secret_', 'ntn_'],
    severity: 'high',
    confidence: 0.85,
    minEntropy: 3.8,
  },
  {
    id: 'sentry-auth-token',
    title: 'Sentry auth token',
    pattern: rx(`${B}(sntry[su]_[A-Za-z0-9_=+/-]{60,250})`),
    keywords: ['sntrys_', 'sntryu_'],
    severity: 'high',
    confidence: 0.9,
  },
  {
    id: 'age-secret-key',
    title: 'age encryption secret key',
    pattern: rx(`(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})`),
    keywords: ['age-secret-key-1'],
    severity: 'critical',
    confidence: 0.99,
  },
  // ── Databases ───────────────────────────────────────────────────────────────────────────────
  dbUrl('postgres-url-password', 'PostgreSQL connection string with password', 'postgres(?:ql)?', ['postgres']),
  dbUrl('mysql-url-password', 'MySQL connection string with password', 'mysql(?:x)?|mariadb', ['mysql', 'mariadb']),
  dbUrl('mongodb-url-password', 'MongoDB connection string with password', 'mongodb(?:\\+srv)?', ['mongodb']),
  dbUrl('redis-url-password', 'Redis connection string with password', 'rediss?', ['redis']),
  dbUrl('amqp-url-password', 'AMQP connection string with password', 'amqps?', ['amqp']),
  dbUrl('mssql-url-password', 'SQL Server connection string with password', 'mssql|sqlserver', ['mssql', 'sqlserver']),
  {
    id: 'jdbc-password',
    title: 'JDBC URL with password',
    pattern: rx(`jdbc:[a-z0-9]{2,20}:[^\\s"'<>]{0,400}?[;?&:]password=([^;&\\s"'<>]{1,128})`, 'i'),
    keywords: ['jdbc:'],
    // Without it, a field of repeated "jdbc:xx:" costs the 400-character gap at every start.
    requires: /[;?&:]password=[^;&\s"'<>]/i,
    severity: 'high',
    confidence: 0.9,
    validate: urlPassword,
  },
  // ── Keys and tokens with structure ──────────────────────────────────────────────────────────
  {
    id: 'private-key',
    title: 'private key',
    // PEM (RFC 7468 §2) or OpenPGP armor header; the body is checked to be key material, so a
    // header quoted in prose or docs ("-----BEGIN PRIVATE KEY----- ...") is not reported.
    pattern: rx(`-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----`),
    keywords: ['private key'],
    severity: 'critical',
    confidence: 0.97,
    validate: (_s, ctx) => {
      const header = ctx.text.slice(ctx.matchStart + 11, ctx.matchEnd - 5);
      const window = ctx.text.slice(ctx.matchEnd, ctx.matchEnd + 16384);
      const endAt = window.indexOf('-----END');
      const body = endAt >= 0 ? window.slice(0, endAt) : window.slice(0, 400);
      // Count base64 characters, ignoring literal and escaped (\n) line breaks and armor headers.
      const b64 = body.replace(/\\[nr]/g, '').replace(/[^A-Za-z0-9+/=]/g, '');
      if (b64.length < 64 || shannonEntropy(b64.slice(0, 256)) < 4.5) return null;
      const close = endAt >= 0 ? window.indexOf('-----', endAt + 8) : -1;
      const end = close >= 0 ? ctx.matchEnd + close + 5 : ctx.matchEnd + body.length;
      const kind = header.replace(/ ?PRIVATE KEY(?: BLOCK)?/, '').trim() || 'PKCS8';
      return { span: [ctx.matchStart, Math.max(end, ctx.matchEnd)], data: { keyType: kind, complete: endAt >= 0 } };
    },
  },
  {
    id: 'jwt',
    title: 'JSON Web Token',
    // Header and payload are base64url JSON objects, so both start with "eyJ" ('{"').
    pattern: rx(`${BD}(eyJ[A-Za-z0-9_-]{8,2000}\\.eyJ[A-Za-z0-9_-]{8,8000}\\.[A-Za-z0-9_-]{0,1000})${ED}`),
    keywords: ['eyj'],
    severity: 'medium',
    confidence: 0.9,
    validate: (s) => {
      const alg = jwtHeaderAlg(s);
      if (alg === undefined) return null;
      const payload = jwtPayload(s);
      const signed = !s.endsWith('.');
      const data: Record<string, string | boolean> = { alg, signed };
      if (payload === undefined) return { confidence: 0.6, data };
      return alg.toLowerCase() === 'none' || !signed ? { severity: 'low', data } : { data };
    },
  },
  // ── Generic assignments (last: specific rules win on overlap) ───────────────────────────────
  {
    id: 'generic-secret-assignment',
    title: 'hard-coded secret',
    pattern: rx(`${GENERIC_KEYS}[A-Za-z0-9_-]{0,20}["'\`]?\\s{0,4}(?::=|=>|[:=])\\s{0,4}(["'\`]?)([^\\s"'\`,;<>(){}\\[\\]]{8,200})`, 'i'),
    group: 2,
    keywords: ['password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'api_key', 'api-key', 'apikey', 'access_key', 'access-key', 'accesskey', 'auth_key', 'authkey', 'private_key', 'privatekey', 'client_secret', 'credential'],
    severity: 'medium',
    confidence: 0.7,
    validate: (_s, ctx) => validateGeneric(ctx),
  },
];

const GENERIC_RE = new RegExp(
  `(${GENERIC_KEYS})[A-Za-z0-9_-]{0,20}["'\`]?\\s{0,4}(?::=|=>|[:=])\\s{0,4}(["'\`]?)([^\\s"'\`,;<>(){}\\[\\]]{8,200})`,
  'i',
);
const CODE_REFERENCE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$|^[A-Za-z_]+$/;

/**
 * Generic `key = value`: the value must be a literal (quoted, or unquoted in config style), not a
 * placeholder or code reference, and random-looking — entropy ≥ 3.0 bits/char with two character
 * classes for passwords, ≥ 3.5 with length ≥ 16 for tokens and keys.
 */
function validateGeneric(ctx: RuleContext): Verdict | null {
  const m = GENERIC_RE.exec(ctx.text.slice(ctx.matchStart, ctx.matchEnd));
  if (m === null) return null;
  const key = (m[1] ?? '').toLowerCase();
  const quote = m[2] ?? '';
  const value = m[3] ?? '';
  const valueStart = ctx.matchEnd - value.length;
  if (quote !== '' && ctx.text.charAt(ctx.matchEnd) !== quote) return null; // unterminated or truncated literal
  if (isPlaceholder(value)) return null;
  if (quote === '' && CODE_REFERENCE.test(value)) return null; // password = user.password / settings.PASSWORD
  if (/^(?:https?|file|ftp):\/\//i.test(value)) return null; // token_url = https://...
  const h = shannonEntropy(value);
  const isPassword = key.startsWith('pass') || key === 'pwd';
  if (isPassword) {
    if (h < 3.0 || charClasses(value) < 2) return null;
  } else if (value.length < 16 || h < 3.5 || charClasses(value) < 2) {
    return null;
  }
  const confidence = Math.min(0.85, 0.45 + (h - 3) * 0.2);
  return { span: [valueStart, valueStart + value.length], confidence: Math.round(confidence * 100) / 100, data: { key: m[1] ?? '' } };
}
