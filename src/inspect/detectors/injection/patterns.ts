/**
 * Pattern tables of the injection detector. Every regex here is built to run in linear time on
 * adversarial input: alternations start with distinct literals, repetitions are bounded and
 * separated by disjoint classes (`\s+` then a word), and "anything" gaps exclude the character
 * that starts the next match, so no two attempts rescan the same long stretch.
 */

/**
 * Instruction-override phrases, one entry per language (the language is reported). `anchors` are
 * lower-case substrings one of which every match contains: a text holding none of them skips the
 * regex (a plain substring search is far cheaper than a case-insensitive alternation).
 */
export const OVERRIDE_PATTERNS: ReadonlyArray<{ readonly anchors: readonly string[]; readonly lang: string; readonly re: RegExp }> = [
  {
    anchors: ['ignor', 'disregard', 'forget', 'skip', 'overrid', 'bypass', 'neglect'], lang: 'en',
    re: /\b(?:ignore|disregard|forget|skip|override|bypass|neglect)\s+(?:(?:all|any|every|each|the|your|my|these|those|of|everything|previously|given)\s+){0,3}(?:previous|prior|preceding|above|earlier|former|foregoing|initial|original|system|existing|developer|safety)\s+(?:\w+\s+)?(?:instructions?|prompts?|directions?|directives?|rules|guidelines|guardrails|messages?|context|commands?|orders|constraints|restrictions|polic(?:y|ies))\b/i,
  },
  { anchors: ['ignor', 'disregard', 'forget'], lang: 'en', re: /\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:above|before|prior|you(?:'ve|\s+have)?\s+been\s+told)\b/i },
  {
    anchors: ['now'], lang: 'en',
    re: /\byou\s+are\s+now\s+(?:DAN\b|in\s+(?:developer|god|jailbreak|unrestricted)\s+mode|jailbroken|free\s+(?:of|from)\s+(?:all|any)|an?\s+(?:unrestricted|unfiltered|uncensored|evil)\b)/i,
  },
  { anchors: ['anything', 'mode'], lang: 'en', re: /\bdo\s+anything\s+now\b|\b(?:developer|god|jailbreak|DAN)\s+mode\s+(?:enabled|activated|on)\b/i },
  { anchors: ['instruction'], lang: 'en', re: /\b(?:new|updated|revised|real|actual)\s+(?:system\s+)?instructions?\s*:/i },
  { anchors: ['prompt', 'instruction'], lang: 'en', re: /\b(?:reveal|print|repeat|show|output)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+prompt|initial\s+instructions|hidden\s+instructions)\b/i },
  {
    anchors: ['ignor', 'oubli', 'tiens'], lang: 'fr',
    re: /\b(?:ignore[zr]?|oublie[zr]?|ne\s+tiens\s+pas\s+compte\s+de)\s+(?:(?:toutes|tous|toute|les|des|vos|tes|ces)\s+){0,3}(?:instructions|consignes|directives|r[èe]gles)\s+(?:pr[ée]c[ée]dentes|ant[ée]rieures|ci-dessus)/i,
  },
  {
    anchors: ['ignorier', 'vergiss', 'vergessen', 'missacht'], lang: 'de',
    re: /\b(?:ignorier(?:e|en|t)?|vergiss|vergessen\s+sie|missachte)\s+(?:(?:alle|die|deine|ihre|s[äa]mtliche|bisherigen|vorherigen|vorigen|obigen|fr[üu]heren)\s+){1,3}(?:Anweisungen|Instruktionen|Befehle|Regeln|Vorgaben)/i,
  },
  {
    anchors: ['ignor', 'olvid', 'descart', 'omite'], lang: 'es',
    re: /\b(?:ignora|ignore|ignorad|olvida|olvide|descarta|omite)\s+(?:(?:todas|todos|las|los|tus|sus|mis)\s+){0,3}(?:instrucciones|indicaciones|reglas|[óo]rdenes)\s+(?:anteriores|previas|de\s+arriba)/i,
  },
  {
    anchors: ['ignor', 'esque', 'desconsider'], lang: 'pt',
    re: /\b(?:ignore|ignora|esque[çc]a|esquece|desconsidere|desconsidera)\s+(?:(?:todas|todos|as|os|suas|tuas)\s+){0,3}(?:instru[çc][õo]es|regras|ordens|orienta[çc][õo]es)\s+(?:anteriores|pr[ée]vias|acima)/i,
  },
  {
    anchors: ['ignor', 'dimentic'], lang: 'it',
    re: /\b(?:ignora|ignorate|dimentica)\s+(?:(?:tutte|tutti|le|gli|i)\s+){0,3}(?:istruzioni|regole|indicazioni)\s+(?:precedenti|sopra)/i,
  },
  {
    anchors: ['игнор', 'забуд', 'обращ'], lang: 'ru',
    re: /(?:игнорируй(?:те)?|проигнорируй(?:те)?|забудь(?:те)?|не\s+обращай(?:те)?\s+внимания\s+на)\s+(?:(?:все|всё|свои|твои|ваши|эти)\s+){0,3}(?:предыдущие|прежние|прошлые|вышеуказанные|вышеприведенные|вышеприведённые|предшествующие|исходные|предыдущих)\s+(?:инструкции|указания|правила|команды|инструкций|указаний)/i,
  },
  {
    anchors: ['忽', '无视', '無視', '忘', '不要理'], lang: 'zh',
    re: /(?:忽略|无视|忽视|無視|忽視|忘记|忘記|不要理会|不要理會)掉?你?(?:之前|以前|先前|上面|上述|以上|前面|此前|所有|全部)的?(?:所有|全部|一切)?的?(?:指令|指示|说明|說明|提示|规则|規則|命令|要求|设定|設定)/,
  },
  {
    anchors: ['無視', '忘れ'], lang: 'ja',
    re: /(?:(?:以前|前|上記|これまで|先|前述|上)の(?:すべての|全ての|全部の)?|(?:すべて|全て)の)(?:指示|命令|指令|ルール|プロンプト|設定)(?:は|を)?(?:すべて|全て)?(?:無視|忘れ)/,
  },
  { anchors: ['무시', '잊어'], lang: 'ko', re: /(?:이전|앞의|위의|모든)\s*(?:지시|지침|명령|규칙)(?:사항)?(?:을|를|은|는)?\s*(?:모두\s*)?(?:무시|잊어)/ },
];

/** One pass finds every candidate; the per-language table above then names it. */
export const OVERRIDE_ANY = new RegExp(OVERRIDE_PATTERNS.map((p) => p.re.source).join('|'), 'gi');

/** Chat-template control tokens (ChatML, Llama 2/3, Gemma, Mistral, GPT-OSS harmony, FIM). */
export const ROLE_TOKEN =
  /<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|begin_of_text|end_of_text|start_header_id|end_header_id|eot_id|eom_id|python_tag|fim_prefix|fim_middle|fim_suffix|channel|message|start|end|return|constrain|call)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:start_of_turn|end_of_turn)>/g;

/** Turn markers of plain-text transcripts and instruction templates, at the start of a line. */
export const TRANSCRIPT_MARKER = /(?:^|\n)[ \t]{0,8}(?:Human|Assistant|SYSTEM|USER|ASSISTANT|### (?:Instruction|Response|Input|System))[ \t]*:/g;

/** Markdown image or link with an absolute URL: group 1 is `!` for images, group 2 the URL. */
export const MD_LINK = /(!?)\[[^[\]\n]{0,500}\]\(\s*<?(https?:\/\/[^\s)>]{1,4096})/g;

/** HTML elements the browser/renderer fetches by itself: group 1 the URL. */
export const HTML_FETCH = /<(?:img|iframe|script|source|video|audio|embed|link)\b[^<>]{0,1000}?\b(?:src|href|data|poster)\s*=\s*["']?(https?:\/\/[^"'\s<>]{1,4096})/gi;

/** Query values that are templates the model is asked to fill in with data. */
export const TEMPLATE_VALUE = /\{[^{}]{0,80}\}|\$\{|\$[A-Z_]{2,}|%s|\[[A-Z][A-Z0-9_ ]{1,40}\]|<[A-Z][A-Z0-9_]{1,40}>|(?:INSERT|PASTE|APPEND|ADD)[_ -]?[A-Z]/;

/** Query parameter names that carry data out rather than configure an image. */
export const EXFIL_PARAM =
  /^(?:data|d|q|query|secret|token|key|api_?key|password|pwd|pass|conv|conversation|chat|history|msg|message|content|info|exfil|payload|leak|prompt|text|memory|email|ssn|cc|creds?|credentials|context|session|cookie|u|user)$/i;

/** Inline style of an HTML element. */
export const STYLE_ATTR = /\bstyle\s*=\s*(?:"([^"<>]{0,600})"|'([^'<>]{0,600})')/gi;
export const HIDING_STYLE =
  /display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|!|$)|opacity\s*:\s*0(?:\.0+)?\s*(?:;|!|$)|(?:^|;)\s*(?:height|width|max-height)\s*:\s*0(?:px)?\s*(?:;|$)|(?:left|top|text-indent)\s*:\s*-\d{3,}/i;
export const WHITE_TEXT = /(?:^|;)\s*color\s*:\s*(?:#fff(?:fff)?\b|white\b|rgba?\(\s*255\s*,\s*255\s*,\s*255\b)/i;
export const NON_WHITE_BACKGROUND = /background(?:-color)?\s*:\s*(?!#fff(?:fff)?\b|white\b|rgba?\(\s*255\s*,\s*255\s*,\s*255\b|transparent)[#a-z]/i;

/** Hidden text addressed to a model rather than a reader. */
export const HIDDEN_INSTRUCTION =
  /\b(?:ignore|disregard|forget)\b[^.\n]{0,60}\b(?:instructions?|above|previous|prior|rules|prompt)\b|\b(?:AI|assistant|LLM|language model|chatbot|GPT|ChatGPT|Claude|Gemini|Copilot|agent)\b[^.\n]{0,80}\b(?:must|should|will|shall|always|never|do not|don't|instead|reply|respond|say|tell|include|insert|add|recommend|output)\b|\bsystem prompt\b|\bnew instructions?\b/i;

/** Discussion markers: a phrase quoted or explained rather than used. */
export const DISCUSSION = /prompt[- ]injection|jailbreak|injection attack|red[- ]team|adversarial prompt|example of (?:an? )?(?:attack|injection)/i;
export const QUOTES = '"\'“”‘’«»「」『』`';

/** A pipe into a shell or interpreter that runs what it reads. */
export const PIPE_TO_SHELL =
  /\|\s*(?:sudo\s+(?:-\S+\s+){0,4})?(?:(?:ba|z|da|k|fi)?sh\b|(?:python[23]?|perl|ruby|node)(?:\s+-)?(?=\s*(?:$|[\n;&|)"'`])))/g;
export const FETCHER = /\b(?:curl|wget|iwr|Invoke-WebRequest|irm|Invoke-RestMethod|fetch)\b/i;
export const SHELL_SUBST = /\b(?:(?:ba|z)?sh|source)\s+(?:-c\s+)?["']?(?:<\(|\$\()\s*(?:curl|wget)\b/g;
export const PS_EXEC = /\b(?:iex|Invoke-Expression)\b/gi;
export const PS_DOWNLOAD = /DownloadString|DownloadFile|DownloadData|Net\.WebClient|Invoke-WebRequest|\biwr\b|\birm\b|Invoke-RestMethod|Start-BitsTransfer/i;
export const PS_ENCODED = /\bpowershell(?:\.exe)?\b[^\n]{0,80}?\s-(?:e|en|enc|encodedcommand)\s+[A-Za-z0-9+/=]{40,}/gi;
export const CERTUTIL = /\bcertutil(?:\.exe)?\b/gi;
export const PY_C = /\bpython[0-9.]*(?:\.exe)?\s+-c\b/g;
export const PY_NET = /urllib|urlopen|requests\.get|http\.client|\bsocket\b/;
export const PY_EXEC = /\bexec\s*\(|\beval\s*\(|__import__|subprocess|os\.system/;
export const LOLBIN = /\bmshta(?:\.exe)?\s+["']?(?:https?|javascript|vbscript):|\bregsvr32(?:\.exe)?\b[^\n]{0,100}\/i:\s*https?:|\bbase64\s+(?:-d|--decode|-D)\b[^\n|]{0,100}\|\s*(?:ba)?sh\b/gi;

/** Hosts of well-known installers whose `curl | sh` one-liners fill public code data. */
export const KNOWN_INSTALLERS = [
  'sh.rustup.rs',
  'get.docker.com',
  'install.python-poetry.org',
  'raw.githubusercontent.com/Homebrew/',
  'raw.githubusercontent.com/nvm-sh/',
  'deb.nodesource.com',
  'rpm.nodesource.com',
  'astral.sh/',
  'bun.sh/',
  'get.pnpm.io',
  'deno.land/install',
  'ollama.com/install',
  'sdk.cloud.google.com',
  'get.helm.sh',
  'raw.githubusercontent.com/helm/',
  'install.determinate.systems',
  'nixos.org/nix/install',
  'starship.rs/install',
  'get.k3s.io',
  'tailscale.com/install',
  'cli.github.com',
  'fnm.vercel.app',
  'volta.sh',
];
/** A fetched URL that points at a raw IP, plain HTTP, paste or tunnel host is a strong signal. */
export const RISKY_URL =
  /\bhttp:\/\/|https?:\/\/\d{1,3}(?:\.\d{1,3}){3}\b|pastebin\.com|paste\.ee|hastebin|transfer\.sh|ngrok(?:-free)?\.(?:io|app)|trycloudflare\.com|0x0\.st|termbin\.com|gist\.githubusercontent\.com|discord(?:app)?\.com\/api\/webhooks|\.onion\b/i;
