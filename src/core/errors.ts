/**
 * Coded errors. Every failure a user can see carries a stable `code` (documented in the README)
 * and a one-line message saying what is wrong and what to do. Capabilities subclass
 * `ProvenantError`; codes are mapped to exit codes and HTTP statuses only at the edges (cli/, server/).
 */

/** Where in an input a problem sits: a file and, for line or row formats, a 1-based line/row. */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly row?: number;
  /** JSON path inside a record or document, e.g. `$.messages[2].content`. */
  readonly path?: string;
}

/** Which exit-code class an error belongs to: bad input/usage (2) or a failed check (1). */
export type ErrorKind = 'input' | 'verification' | 'internal';

export interface ProvenantErrorOptions {
  readonly cause?: unknown;
  readonly location?: SourceLocation;
  readonly kind?: ErrorKind;
  /** Extra machine-readable detail, rendered in --json output. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Base of every coded error. */
export class ProvenantError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly location: SourceLocation | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, message: string, options: ProvenantErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = options.kind ?? 'input';
    this.location = options.location;
    this.details = options.details;
  }

  /** One line: `CODE: file:line: message`. */
  oneLine(): string {
    const where = formatLocation(this.location);
    return `${this.code}: ${where ? `${where}: ` : ''}${this.message}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      kind: this.kind,
      message: this.message,
      ...(this.location ? { location: this.location } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** Malformed, truncated or otherwise unusable input (exit 2). */
export class InputError extends ProvenantError {}

/** Renders `file:line` / `file:row N` / `file` for messages. */
export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  else if (loc.row !== undefined) s += ` row ${loc.row}`;
  if (loc.path !== undefined) s += ` ${loc.path}`;
  return s;
}

/** Exit codes shared by every command (README "Exit codes"). */
export const EXIT = { ok: 0, failed: 1, input: 2, internal: 3 } as const;

/** Maps any thrown value to a process exit code. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof ProvenantError) {
    switch (err.kind) {
      case 'input':
        return EXIT.input;
      case 'verification':
        return EXIT.failed;
      case 'internal':
        return EXIT.internal;
    }
  }
  return EXIT.internal;
}
