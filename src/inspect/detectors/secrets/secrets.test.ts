import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { RecordView } from '../../types.js';
import { SECRET_RULES, checksumTokenValid, createSecretScanner, createSecretsDetector, makeChecksumToken, redactSecrets, scanSecrets } from './index.js';
import type { SecretRule } from './index.js';

// Fake credentials are generated, not written out, so this file holds nothing that looks live.
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function rand(n: number, alphabet = ALNUM, seed = 'x'): string {
  const bytes = createHmac('sha256', seed).update(String(n)).digest();
  let out = '';
  for (let i = 0; out.length < n; i++) {
    const b = i < bytes.length ? bytes[i]! : createHmac('sha256', seed).update(`${n}:${i}`).digest()[0]!;
    out += alphabet.charAt(b % alphabet.length);
  }
  return out;
}
const HEX = '0123456789abcdef';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = ALNUM + '+/';
const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const pemBody = rand(320, B64, 'pem').replace(/(.{64})/g, '$1\n');

const SAMPLES: Record<string, string> = {
  'aws-access-key-id': `key id AKIA${rand(16, B32, 'aws')}`,
  'aws-secret-access-key': `aws_secret_access_key = ${rand(40, B64, 'awss')}`,
  'aws-session-token': `AWS_SESSION_TOKEN=${rand(160, B64, 'sess')}`,
  'gcp-service-account-key': `{"type": "service_account", "private_key_id": "${rand(40, HEX, 'gcp')}"}`,
  'gcp-api-key': `key=AIza${rand(35, ALNUM + '_-', 'gapi')}`,
  'gcp-oauth-client-secret': `GOCSPX-${rand(28, ALNUM, 'goc')}`,
  'azure-storage-account-key': `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${rand(86, B64, 'az')}==;`,
  'azure-sas-token': `https://a.blob.core.windows.net/c?sv=2022-11-02&se=2030-01-01&sp=r&sig=${rand(43, ALNUM, 'sas')}%3D`,
  'azure-ad-client-secret': `client_secret: abc8Q~${rand(34, ALNUM, 'aad')}`,
  'digitalocean-token': `dop_v1_${rand(64, HEX, 'do')}`,
  'hashicorp-vault-token': `VAULT_TOKEN=hvs.${rand(95, ALNUM, 'hv')}`,
  'terraform-cloud-token': `${rand(14, ALNUM, 'tf')}.atlasv1.${rand(67, ALNUM, 'tf2')}`,
  'anthropic-api-key': `sk-ant-api03-${rand(93, ALNUM, 'ant')}AA`,
  'openai-api-key': `OPENAI_API_KEY=sk-proj-${rand(60, ALNUM, 'oai')}T3BlbkFJ${rand(60, ALNUM, 'oai2')}`,
  'huggingface-token': `hf_${rand(34, ALNUM.slice(0, 52), 'hf')}`,
  'replicate-api-token': `r8_${rand(37, ALNUM, 'r8')}`,
  'groq-api-key': `gsk_${rand(52, ALNUM, 'groq')}`,
  'perplexity-api-key': `pplx-${rand(48, ALNUM, 'pplx')}`,
  'xai-api-key': `xai-${rand(80, ALNUM, 'xai')}`,
  'langsmith-api-key': `lsv2_pt_${rand(32, HEX, 'ls')}_${rand(10, HEX, 'ls2')}`,
  'cohere-api-key': `COHERE_API_KEY="${rand(40, ALNUM, 'co')}"`,
  'mistral-api-key': `MISTRAL_API_KEY=${rand(32, ALNUM, 'mi')}`,
  'github-pat': makeChecksumToken('ghp_', rand(30, ALNUM, 'ghp')),
  'github-oauth-token': makeChecksumToken('gho_', rand(30, ALNUM, 'gho')),
  'github-user-to-server-token': makeChecksumToken('ghu_', rand(30, ALNUM, 'ghu')),
  'github-server-to-server-token': makeChecksumToken('ghs_', rand(30, ALNUM, 'ghs')),
  'github-refresh-token': makeChecksumToken('ghr_', rand(30, ALNUM, 'ghr')),
  'github-fine-grained-pat': `github_pat_${rand(22, ALNUM, 'fg')}_${rand(59, ALNUM, 'fg2')}`,
  'gitlab-pat': `glpat-${rand(20, ALNUM, 'gl')}`,
  'gitlab-runner-token': `glrt-${rand(20, ALNUM, 'glr')}`,
  'bitbucket-app-password': `ATBB${rand(32, ALNUM, 'bb')}`,
  'atlassian-api-token': `ATATT3${rand(186, ALNUM, 'atl')}`,
  'npm-token': makeChecksumToken('npm_', rand(30, ALNUM, 'npm')),
  'pypi-token': `pypi-AgEIcHlwaS5vcmc${rand(60, ALNUM, 'pypi')}`,
  'dockerhub-pat': `dckr_pat_${rand(27, ALNUM, 'dck')}`,
  'rubygems-api-key': `rubygems_${rand(48, HEX, 'rg')}`,
  'stripe-secret-key': `sk_live_${rand(24, ALNUM, 'st')}`,
  'stripe-restricted-key': `rk_live_${rand(24, ALNUM, 'rk')}`,
  'stripe-publishable-key': `pk_live_${rand(24, ALNUM, 'pk')}`,
  'stripe-webhook-secret': `whsec_${rand(32, ALNUM, 'wh')}`,
  'square-access-token': `sq0atp-${rand(22, ALNUM, 'sq')}`,
  'square-oauth-secret': `sq0csp-${rand(43, ALNUM, 'sqc')}`,
  'braintree-access-token': `access_token$production$${rand(16, 'abcdefghijklmnopqrstuvwxyz0123456789', 'bt')}$${rand(32, HEX, 'bt2')}`,
  'shopify-token': `shpat_${rand(32, HEX, 'shp')}`,
  'slack-bot-token': `xoxb-${rand(11, '0123456789', 'sb')}-${rand(12, '0123456789', 'sb2')}-${rand(24, ALNUM, 'sb3')}`,
  'slack-user-token': `xoxp-${rand(11, '0123456789', 'su')}-${rand(11, '0123456789', 'su2')}-${rand(12, '0123456789', 'su3')}-${rand(32, HEX, 'su4')}`,
  'slack-app-token': `xapp-1-A${rand(10, B32, 'sa')}-${rand(13, '0123456789', 'sa2')}-${rand(64, HEX, 'sa3')}`,
  'slack-webhook-url': `https://hooks.slack.com/services/T${rand(8, B32, 'sw')}/B${rand(8, B32, 'sw2')}/${rand(24, ALNUM, 'sw3')}`,
  'discord-webhook-url': `https://discord.com/api/webhooks/${rand(18, '0123456789', 'dw')}/${rand(68, ALNUM, 'dw2')}`,
  'discord-bot-token': `discord bot token ${Buffer.from('123456789012345678').toString('base64url')}.${rand(6, ALNUM, 'db')}.${rand(27, ALNUM, 'db2')}`,
  'telegram-bot-token': `bot${rand(9, '123456789', 'tg')}:AA${rand(33, ALNUM, 'tg2')}`,
  'twilio-api-key': `twilio key SK${rand(32, HEX, 'tw')}`,
  'twilio-auth-token': `TWILIO_AUTH_TOKEN=${rand(32, HEX, 'twa')}`,
  'sendgrid-api-key': `SG.${rand(22, ALNUM, 'sg')}.${rand(43, ALNUM, 'sg2')}`,
  'mailgun-api-key': `mailgun: key-${rand(32, HEX, 'mg')}`,
  'mailchimp-api-key': `${rand(32, HEX, 'mc')}-us14`,
  'linear-api-key': `lin_api_${rand(40, ALNUM, 'lin')}`,
  'newrelic-user-api-key': `NRAK-${rand(27, B32, 'nr')}`,
  'postman-api-key': `PMAK-${rand(24, HEX, 'pm')}-${rand(34, HEX, 'pm2')}`,
  'notion-integration-token': `ntn_${rand(46, ALNUM, 'nt')}`,
  'sentry-auth-token': `sntrys_${rand(80, ALNUM, 'sen')}`,
  'age-secret-key': `AGE-SECRET-KEY-1${rand(58, 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 'age')}`,
  'postgres-url-password': `postgres://app:${rand(14, ALNUM, 'pg')}@db.internal:5432/prod`,
  'mysql-url-password': `mysql://root:${rand(14, ALNUM, 'my')}@10.0.0.5/app`,
  'mongodb-url-password': `mongodb+srv://svc:${rand(14, ALNUM, 'mo')}@cluster0.mongodb.net/db`,
  'redis-url-password': `redis://default:${rand(14, ALNUM, 'rd')}@cache:6379`,
  'amqp-url-password': `amqps://user:${rand(14, ALNUM, 'mq')}@mq.host/vhost`,
  'mssql-url-password': `mssql://sa:${rand(14, ALNUM, 'ms')}@sql.host/db`,
  'jdbc-password': `jdbc:postgresql://h:5432/db?user=app&password=${rand(14, ALNUM, 'jd')}`,
  'private-key': `-----BEGIN RSA PRIVATE KEY-----\n${pemBody}\n-----END RSA PRIVATE KEY-----`,
  jwt: `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ sub: 'u-42', iat: 1700000000 })}.${rand(43, ALNUM, 'sig')}`,
  'generic-secret-assignment': `db_password = "${rand(16, ALNUM + '!#%', 'gen')}"`,
};

const view = (text: string, path = '$.text'): RecordView => ({ file: 'd.jsonl', index: 3, line: 4, value: { text }, fields: [{ path, text }] });

describe('secrets rule table', () => {
  it('has at least 40 rules with unique ids, each with keywords', () => {
    assert.ok(SECRET_RULES.length >= 40, `only ${SECRET_RULES.length} rules`);
    assert.equal(new Set(SECRET_RULES.map((r) => r.id)).size, SECRET_RULES.length);
    for (const r of SECRET_RULES) assert.ok(r.keywords.length > 0 && r.keywords.every((k) => k === k.toLowerCase()), r.id);
  });

  for (const rule of SECRET_RULES) {
    it(`finds ${rule.id}`, () => {
      const sample = SAMPLES[rule.id];
      assert.ok(sample !== undefined, `no test sample for ${rule.id}`);
      const hits = scanSecrets(`config:\n${sample}\n`);
      assert.ok(hits.some((h) => h.rule.id === rule.id), `${rule.id} not found in ${JSON.stringify(hits.map((h) => h.rule.id))}`);
    });
  }
});

describe('secrets validators', () => {
  it('validates the GitHub CRC32 checksum and reports a bad one with lower confidence', () => {
    const good = makeChecksumToken('ghp_', rand(30, ALNUM, 'crc'));
    assert.ok(checksumTokenValid(good));
    const bad = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    assert.ok(!checksumTokenValid(bad));
    const [g] = scanSecrets(good);
    const [b] = scanSecrets(bad);
    assert.equal(g?.data['checksum'], 'valid');
    assert.equal(b?.data['checksum'], 'invalid');
    assert.ok((b?.confidence ?? 1) < (g?.confidence ?? 0));
    assert.equal(g?.severity, 'critical');
  });

  it('reports documented example keys as info with data.example', () => {
    const cases = [
      'AKIAIOSFODNN7EXAMPLE',
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
      'gho_16C7e42F292c6912E7710c838347Ae178B4a',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    ];
    for (const c of cases) {
      const hits = scanSecrets(c);
      assert.equal(hits.length, 1, c);
      assert.equal(hits[0]?.severity, 'info', c);
      assert.equal(hits[0]?.data['example'], true, c);
    }
  });

  it('grades severity by type: live payment keys critical, test keys low', () => {
    assert.equal(scanSecrets(`sk_live_${rand(24, ALNUM, 'sev')}`)[0]?.severity, 'critical');
    assert.equal(scanSecrets(`sk_test_${rand(24, ALNUM, 'sev2')}`)[0]?.severity, 'low');
    assert.equal(scanSecrets(`ASIA${rand(16, B32, 'sts')}`)[0]?.severity, 'high');
  });

  it('rejects a JWT-shaped string whose header is not JSON with alg', () => {
    const noAlg = `${b64url({ typ: 'JWT' })}.${b64url({ sub: 'x' })}.${rand(20, ALNUM, 'j')}`;
    assert.deepEqual(scanSecrets(noAlg), []);
  });
});

describe('secrets hard negatives', () => {
  const negatives: Record<string, string> = {
    uuid: 'request id 3f2b8c1e-9d4a-4e7b-8c2f-1a2b3c4d5e6f and 550e8400-e29b-41d4-a716-446655440000',
    'git sha': 'fixed in commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (see a1b2c3d)',
    'base64 image': `<img src="data:image/png;base64,${rand(400, B64, 'img')}">`,
    'hash in prose': `The SHA-256 of the file is ${rand(64, HEX, 'h')} and its MD5 is ${rand(32, HEX, 'm')}.`,
    'sk- in words': 'The task-force used a desk-lamp; install sk-learn via pip (ask-me-anything).',
    placeholders: 'api_key = "<your-api-key>"\npassword = "changeme"\ntoken: ${GITHUB_TOKEN}\nsecret = process.env.SECRET\nAPI_KEY=xxxxxxxxxxxxxxxx',
    'code references': 'password = user.password\napi_key = settings.API_KEY\ntoken = getToken()',
    'low-entropy passwords': 'password: "password123"\npassword = "aaaaaaaaaaaa"',
    'pem header in docs': 'A key file starts with -----BEGIN PRIVATE KEY----- followed by base64.',
    'url without password': 'postgres://db.internal:5432/app and redis://cache:6379/0 and mongodb://${USER}:${PASS}@h/db',
    'AKIA-like lowercase': 'akiaiosfodnn7examplexx is not a key',
    'short prefix tokens': 'ghp_short glpat-x hf_abc npm_install xoxb-1',
  };
  for (const [name, text] of Object.entries(negatives)) {
    it(`does not flag ${name}`, () => {
      assert.deepEqual(scanSecrets(text).map((h) => h.rule.id), []);
    });
  }
});

describe('secrets detector', () => {
  it('emits findings with location, redacted evidence and a message without the value', () => {
    const token = makeChecksumToken('ghp_', rand(30, ALNUM, 'det'));
    const det = createSecretsDetector();
    assert.equal(det.id, 'secrets');
    const [f, ...rest] = det.inspect(view(`push with ${token} please`, '$.messages[1].content'));
    assert.equal(rest.length, 0);
    assert.ok(f);
    assert.equal(f.detector, 'secrets');
    assert.equal(f.rule, 'github-pat');
    assert.deepEqual(f.location, { file: 'd.jsonl', index: 3, line: 4, field: '$.messages[1].content', span: [10, 10 + token.length] });
    assert.ok(!f.message.includes(token) && !(f.evidence ?? '').includes(token));
    assert.ok((f.evidence ?? '').startsWith('ghp_'));
    assert.ok(!(f.evidence ?? '').includes(token.slice(4, 30)));
  });

  it('never puts a private key body into evidence', () => {
    const det = createSecretsDetector();
    const [f] = det.inspect(view(SAMPLES['private-key']!));
    assert.equal(f?.rule, 'private-key');
    assert.ok(!(f?.evidence ?? '').includes(pemBody.slice(0, 20)));
  });

  it('honours disable, minConfidence and reportExamples', () => {
    const text = `AKIAIOSFODNN7EXAMPLE ${SAMPLES['stripe-secret-key']!}`;
    assert.equal(createSecretsDetector({ reportExamples: false }).inspect(view(text)).length, 1);
    assert.equal(createSecretsDetector({ disable: ['stripe-secret-key'] }).inspect(view(text)).length, 1);
    assert.equal(createSecretsDetector({ minConfidence: 0.95 }).inspect(view(text)).length, 1);
  });

  it('is deterministic and ordered by position', () => {
    const text = `${SAMPLES['slack-bot-token']!} then ${SAMPLES['gcp-api-key']!} then ${SAMPLES['groq-api-key']!}`;
    const a = createSecretsDetector().inspect(view(text));
    const b = createSecretsDetector().inspect(view(text));
    assert.deepEqual(a, b);
    assert.deepEqual(a.map((f) => f.rule), ['slack-bot-token', 'gcp-api-key', 'groq-api-key']);
  });
});

describe('redactSecrets', () => {
  it('replaces each secret with a typed placeholder and keeps the rest', () => {
    const text = `export AWS_ACCESS_KEY_ID=${SAMPLES['aws-access-key-id']!.slice(7)}\nurl=${SAMPLES['postgres-url-password']!}`;
    const out = redactSecrets(text);
    assert.equal(out, 'export AWS_ACCESS_KEY_ID=[SECRET:aws-access-key-id]\nurl=postgres://app:[SECRET:postgres-url-password]@db.internal:5432/prod');
    assert.equal(redactSecrets('nothing here'), 'nothing here');
  });
});

describe('secrets on adversarial input', () => {
  const cases: Record<string, string> = {
    'keyword soup': 'password=token=secret=api_key='.repeat(40000),
    'long token run': 'ghp_' + 'a'.repeat(1_000_000),
    'eyJ dots': 'eyJ' + 'a'.repeat(500) + '.eyJ' + 'b.'.repeat(400_000),
    'url-ish': 'postgres://' + 'a:'.repeat(300_000) + '@',
    'pem headers': '-----BEGIN PRIVATE KEY-----'.repeat(30000),
    'jdbc': 'jdbc:mysql:' + ';'.repeat(1_000_000),
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`scans 1 MB of ${name} quickly`, () => {
      const t0 = performance.now();
      scanSecrets(text);
      const ms = performance.now() - t0;
      assert.ok(ms < 2000, `${name} took ${ms.toFixed(0)} ms`);
    });
  }
});

describe('secrets keyword prefilter', () => {
  const ids = (text: string, scan = scanSecrets): string[] => scan(text).map((h) => h.rule.id);
  const awsId = `AKIA${rand(16, B32, 'aws')}`;
  const sid = `SK${rand(32, HEX, 'tw')}`;
  const discord = `${Buffer.from('123456789012345678').toString('base64url')}.${rand(6, ALNUM, 'db')}.${rand(27, ALNUM, 'db2')}`;

  it('runs a rule when its keyword is the whole text, starts it or ends it', () => {
    assert.deepEqual(ids(awsId), ['aws-access-key-id']);
    assert.deepEqual(ids(`${awsId} was rotated`), ['aws-access-key-id']);
    assert.deepEqual(ids(`caf\u00e9 \u2019quoted\u2019 then ${awsId}`), ['aws-access-key-id']);
  });

  it('matches keywords in any case and wherever they are, also after the secret', () => {
    assert.deepEqual(ids(`PaSsWoRd = "${rand(16, ALNUM + '!#%', 'gen')}"`), ['generic-secret-assignment']);
    assert.deepEqual(ids(`${sid} is the key of our TWILIO account`), ['twilio-api-key']);
    assert.deepEqual(ids(`Authorization: BOT ${discord}`), ['discord-bot-token']);
    assert.deepEqual(ids(`x\n${discord}\n... the DisCord app`), ['discord-bot-token']);
  });

  it('does not run a rule whose keyword is absent (negatives)', () => {
    assert.deepEqual(ids(`${sid} is a hex id`), [], 'SK + 32 hex without twilio');
    assert.deepEqual(ids(`value: ${discord}`), [], 'discord-shaped token without discord/bot');
    assert.deepEqual(ids(`pass word = "${rand(16, ALNUM + '!#%', 'gen')}"`), []);
    assert.deepEqual(ids('Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.'), []);
  });

  it('keeps the toLowerCase() semantics for keywords the one-pass scan cannot take', () => {
    const extra = (id: string, keywords: string[], pattern: RegExp): SecretRule => ({ id, title: id, pattern, keywords, severity: 'low', confidence: 0.5 });
    const scanner = createSecretScanner([
      extra('one-char', ['#'], /#(\d{6})#/dg),
      extra('non-ascii', ['cl\u00e9'], /cl\u00e9=(\w{8,})/dg),
      extra('kelvin', ['kelvin-key'], /XYZ(\d{6})/dg),
      extra('upper', ['ZZTOP'], /ZZTOP(\d{6})/dg),
    ]);
    const s = (text: string): string[] => ids(text, (t) => scanner.scan(t));
    assert.deepEqual(s('value #123456# here'), ['one-char']);
    assert.deepEqual(s('CL\u00c9 then cl\u00e9=abcdefgh12'), ['non-ascii']);
    // U+212A KELVIN SIGN lowercases to "k": the keyword is present, as it always was.
    assert.deepEqual(s('\u212Aelvin-key XYZ123456'), ['kelvin']);
    assert.deepEqual(s('Kelvin-Key XYZ123456'), ['kelvin']);
    assert.deepEqual(s('kelvin XYZ123456'), []);
    // Keywords are lower case: an upper-case one never matches the lowered text.
    assert.deepEqual(s('ZZTOP123456'), []);
  });

  it('skips the JDBC pattern unless a password parameter occurs', () => {
    assert.deepEqual(ids(`JDBC:postgresql://h:5432/db?user=app&PASSWORD=${rand(14, ALNUM, 'jd')}`), ['jdbc-password']);
    assert.deepEqual(ids('jdbc:postgresql://h:5432/db?user=app&password='), []);
    assert.deepEqual(ids('jdbc:postgresql://h:5432/db?user=app'), []);
    const bad: SecretRule = { ...(SECRET_RULES.find((r) => r.id === 'jdbc-password') as SecretRule), id: 'x', requires: /password=/gi };
    assert.throws(() => createSecretScanner([bad]), /requires/);
  });

  it('keeps every rule linear on 1 MB of crafted keyword-dense text (under 1 s of CPU each)', () => {
    const mb = 1 << 20;
    const fill = (unit: string): string => unit.repeat(Math.ceil(mb / unit.length)).slice(0, mb);
    const keywords = [...new Set(SECRET_RULES.flatMap((r) => r.keywords))];
    const inputs: Record<string, string> = {
      'every keyword': fill(keywords.join(' ')),
      'every keyword, upper case, no separators': fill(keywords.join('').toUpperCase()),
      'jdbc starts': fill('jdbc:ab:'),
      'assignments': fill('aws_secret_access_key = "'),
      'generic keys': fill('PASSWORD=token_'),
      'key prefixes': fill('AKIAghp_sk-xoxb-eyJAIza'),
      'url passwords': fill('postgres://a:b@'),
      'dots and tildes': fill('q~.eyJ.:AA'),
    };
    for (const [name, text] of Object.entries(inputs)) {
      const t0 = process.cpuUsage();
      const hits = scanSecrets(text);
      const used = process.cpuUsage(t0);
      const ms = (used.user + used.system) / 1000;
      assert.ok(ms < 1000, `${name}: ${ms.toFixed(0)} ms`);
      assert.ok(hits.length <= 1000 * SECRET_RULES.length);
    }
  });
});
