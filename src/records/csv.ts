/**
 * CSV (RFC 4180) and TSV (IANA text/tab-separated-values) row parsing, streaming over decoded text.
 * CSV: fields separated by ',', records by CRLF or LF; a field may be enclosed in double quotes,
 * and then may hold ',', line breaks and doubled quotes ("" = "). A quote inside an unquoted field,
 * text after a closing quote, and a quote still open at end of file are errors (RFC 4180 §2.5–2.7).
 * TSV: fields separated by TAB, one record per line, no quoting (a '"' is data).
 * The first row is the header; every row must have exactly as many fields as the header.
 */
import { recordError } from './errors.js';

export interface CsvRow {
  readonly fields: string[];
  /** 1-based line where the row starts. */
  readonly line: number;
}

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

/** Incremental RFC 4180 / TSV tokenizer: feed decoded text, collect complete rows. */
export class DelimitedParser {
  private state = S.FieldStart;
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private rowLine = 1;
  private readonly sep: number;

  constructor(
    private readonly kind: 'csv' | 'tsv',
    private readonly file: string,
  ) {
    this.sep = kind === 'csv' ? 0x2c : 0x09;
  }

  /** Parses `text` (which continues where the previous call stopped) and returns finished rows. */
  feed(text: string): CsvRow[] {
    const rows: CsvRow[] = [];
    const sep = this.sep;
    const tsv = this.kind === 'tsv';
    let i = 0;
    const n = text.length;
    while (i < n) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case S.FieldStart:
        case S.Unquoted: {
          if (c === 0x22 && !tsv) {
            if (this.state === S.Unquoted || this.field !== '') throw this.err('RECORD_CSV_QUOTE', 'a double quote inside an unquoted field; enclose the field in quotes and double the inner quote (RFC 4180 §2.7)');
            this.state = S.Quoted;
            i++;
            break;
          }
          // Copy a run of plain characters at once.
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === sep || d === 0x0a || d === 0x0d || (d === 0x22 && !tsv)) break;
            j++;
          }
          if (j > i) {
            this.field += text.slice(i, j);
            this.state = S.Unquoted;
            i = j;
            break;
          }
          if (c === sep) {
            this.endField();
            i++;
          } else if (c === 0x0a) {
            this.endRow(rows);
            i++;
          } else if (c === 0x0d) {
            if (text.charCodeAt(i + 1) === 0x0a) {
              this.endRow(rows);
              i += 2;
            } else {
              this.field += '\r';
              this.state = S.Unquoted;
              i++;
            }
          } else {
            // A quote in the middle of an unquoted CSV field.
            throw this.err('RECORD_CSV_QUOTE', 'a double quote inside an unquoted field; enclose the field in quotes and double the inner quote (RFC 4180 §2.7)');
          }
          break;
        }
        case S.Quoted: {
          const q = text.indexOf('"', i);
          const end = q === -1 ? n : q;
          const chunk = text.slice(i, end);
          this.line += countChar(chunk, '\n');
          this.field += chunk;
          if (q === -1) i = n;
          else {
            this.state = S.QuoteInQuoted;
            i = q + 1;
          }
          break;
        }
        case S.QuoteInQuoted: {
          if (c === 0x22) {
            this.field += '"';
            this.state = S.Quoted;
            i++;
          } else if (c === sep) {
            this.endField();
            i++;
          } else if (c === 0x0a) {
            this.endRow(rows);
            i++;
          } else if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) {
            this.endRow(rows);
            i += 2;
          } else {
            throw this.err('RECORD_CSV_QUOTE', 'text after the closing quote of a field; double quotes inside quoted fields (RFC 4180 §2.7)');
          }
          break;
        }
      }
    }
    return rows;
  }

  /** Ends the input: returns the last row if the file lacks a final newline. */
  finish(): CsvRow[] {
    if (this.state === S.Quoted) {
      throw recordError('RECORD_CSV_UNTERMINATED_QUOTE', `quoted field opened on line ${this.rowLine} is never closed (truncated file?); close the quote`, { file: this.file, line: this.rowLine });
    }
    const rows: CsvRow[] = [];
    if (this.state !== S.FieldStart || this.fields.length > 0) this.endRow(rows);
    return rows;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = S.FieldStart;
  }

  private endRow(rows: CsvRow[]): void {
    this.endField();
    rows.push({ fields: this.fields, line: this.rowLine });
    this.fields = [];
    this.line++;
    this.rowLine = this.line;
  }

  private err(code: string, msg: string): Error {
    return recordError(code, msg, { file: this.file, line: this.line });
  }
}

function countChar(s: string, ch: string): number {
  let k = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) k++;
  return k;
}

/** Checks a header row: names must be distinct (they become JSON object keys). */
export function checkHeader(header: readonly string[], file: string): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw recordError('RECORD_CSV_DUPLICATE_HEADER', `column name ${JSON.stringify(name)} appears twice in the header; rename one`, { file, line: 1 });
    }
    seen.add(name);
  }
}

/** Builds the record of a data row: header name → string value; checks the field count. */
export function rowValue(header: readonly string[], row: CsvRow, dataRow: number, file: string): Record<string, string> {
  if (row.fields.length !== header.length) {
    throw recordError(
      'RECORD_CSV_COLUMN_COUNT',
      `row has ${row.fields.length} fields but the header has ${header.length} (line ${row.line}); fix the row or quote fields that contain the separator`,
      { file, row: dataRow },
    );
  }
  // fromEntries defines own properties, so a column named "__proto__" stays a plain key.
  return Object.fromEntries(header.map((h, i) => [h, row.fields[i] as string]));
}
