/**
 * Credentials inside text Baton keeps at rest (the session log, delegation records): a model or
 * a user pastes a key into a task or an argument, and it must not sit in the state dir verbatim.
 * Known key formats and URL credentials are replaced by their first characters and a marker.
 */
const PATTERNS: readonly RegExp[] = [
  /\b(sk-(?:proj-|ant-|live-|test-)?)[A-Za-z0-9_-]{16,}/g, // OpenAI, Anthropic, Stripe
  /\b(gh[pousr]_)[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\b(github_pat_)[A-Za-z0-9_]{20,}/g,
  /\b(glpat-)[A-Za-z0-9_-]{16,}/g, // GitLab
  /\b(xox[abprs]-)[A-Za-z0-9-]{10,}/g, // Slack
  /\b((?:AKIA|ASIA))[A-Z0-9]{16}\b/g, // AWS access key ids
  /\b(AIza)[A-Za-z0-9_-]{30,}/g, // Google API keys
  /\b(npm_)[A-Za-z0-9]{30,}/g,
  /\b(eyJ)[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWTs
  /(\bBearer\s+)[A-Za-z0-9._~+/-]{16,}=*/gi,
];
const PRIVATE_KEY = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
/** `scheme://user:password@host`: the password goes. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;

export const REDACTED = '…[redacted]';

export function redactSecrets(text: string): string {
  let out = text.replace(PRIVATE_KEY, `-----BEGIN $1PRIVATE KEY-----${REDACTED}`);
  for (const pattern of PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
}

/** The same value with every string in it redacted (for JSON records). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item)])) as T;
  }
  return value;
}
