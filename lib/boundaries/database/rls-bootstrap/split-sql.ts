/**
 * Splits a PostgreSQL script into single statements, because the RDS Data API (like PGlite's
 * `query`) takes one statement per call.
 *
 * A `;` ends a statement only outside quoted text. Lexical rules followed (PostgreSQL docs,
 * "Lexical Structure" 4.1): single-quoted strings ('' escapes a quote), escape strings E'...'
 * (backslash escapes), quoted identifiers "..." ("" escapes), dollar-quoted strings
 * $tag$...$tag$ (function bodies; the tag is optional and follows identifier rules, and a
 * `$1` parameter is not a tag), line comments `--` and block comments, which nest.
 * Comment-only and empty pieces are dropped.
 */

/** One statement of a script, with where it starts (1-based line) for error reports. */
export interface SqlStatement {
  readonly index: number;
  readonly line: number;
  readonly text: string;
}

/** A script that cannot be split (an unterminated quote or comment). */
export class SqlSplitError extends Error {
  constructor(
    message: string,
    public readonly line: number,
  ) {
    super(`${message} (line ${line})`);
    this.name = 'SqlSplitError';
  }
}

const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/;

export function splitSqlScript(script: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let i = 0;
  let startLine = 1;
  let codeStart = 0; // first character of the statement that is not whitespace or a comment
  let hasCode = false; // the current piece holds something other than whitespace and comments

  const lineAt = (pos: number): number => {
    let l = 1;
    for (let k = 0; k < pos; k++) if (script.charCodeAt(k) === 10) l++;
    return l;
  };
  const flush = (end: number) => {
    const text = script.slice(codeStart, end).trim();
    if (hasCode && text.length > 0) statements.push({ index: statements.length + 1, line: startLine, text });
    hasCode = false;
  };
  const skipTo = (needle: string, from: number, what: string): number => {
    const at = script.indexOf(needle, from);
    if (at < 0) throw new SqlSplitError(`unterminated ${what}`, lineAt(from));
    return at + needle.length;
  };
  const markCode = (pos: number) => {
    if (!hasCode) {
      hasCode = true;
      codeStart = pos;
      startLine = lineAt(pos);
    }
  };

  while (i < script.length) {
    const c = script[i];
    const next = script[i + 1];
    if (c === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      i = end < 0 ? script.length : end;
    } else if (c === '/' && next === '*') {
      // Block comments nest in PostgreSQL.
      const from = i;
      let depth = 0;
      do {
        if (script.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (script.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else if (i >= script.length) {
          throw new SqlSplitError('unterminated block comment', lineAt(from));
        } else {
          i++;
        }
      } while (depth > 0);
    } else if (c === "'") {
      markCode(i);
      const escapeString = i > 0 && /[eE]/.test(script[i - 1]) && (i < 2 || !/[A-Za-z0-9_$]/.test(script[i - 2]));
      const from = i;
      i++;
      for (;;) {
        if (i >= script.length) throw new SqlSplitError('unterminated string literal', lineAt(from));
        if (escapeString && script[i] === '\\') {
          i += 2;
        } else if (script[i] === "'") {
          if (script[i + 1] === "'") i += 2;
          else {
            i++;
            break;
          }
        } else {
          i++;
        }
      }
    } else if (c === '"') {
      markCode(i);
      const from = i;
      i++;
      for (;;) {
        if (i >= script.length) throw new SqlSplitError('unterminated quoted identifier', lineAt(from));
        if (script[i] === '"') {
          if (script[i + 1] === '"') i += 2;
          else {
            i++;
            break;
          }
        } else {
          i++;
        }
      }
    } else if (c === '$' && (i === 0 || !/[A-Za-z0-9_$]/.test(script[i - 1]))) {
      // `$tag$` opens a dollar-quoted string unless it is part of an identifier (`a$b`);
      // `$1` (a parameter) does not match DOLLAR_TAG.
      const m = DOLLAR_TAG.exec(script.slice(i, i + 200));
      markCode(i);
      if (m) {
        const tag = m[0];
        i = skipTo(tag, i + tag.length, `dollar-quoted string ${tag}`);
      } else {
        i++;
      }
    } else if (c === ';') {
      flush(i);
      i++;
    } else {
      if (!/\s/.test(c)) markCode(i);
      i++;
    }
  }
  flush(script.length);
  return statements;
}
