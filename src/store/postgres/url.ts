/** Database URLs (which select PostgreSQL, how they appear in messages) and default schemas. Free
 * of `pg`, so home.ts can decide the backend without loading the client. */

/** Schema of the Store when none is given. */
export const DEFAULT_PG_SCHEMA = 'provenant';
/** Schema of the log store when none is given. */
export const DEFAULT_PG_LOG_SCHEMA = 'provenant_log';

/** The URL schemes that select the PostgreSQL backend. */
export const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** The URL without its password (and password-like query parameters), for messages. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(unparsable database URL)';
  }
  if (u.password !== '') u.password = '';
  for (const k of [...u.searchParams.keys()]) {
    if (/pass|secret|key/i.test(k)) u.searchParams.set(k, 'redacted');
  }
  return u.toString();
}
