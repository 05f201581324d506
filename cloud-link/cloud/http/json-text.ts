/**
 * JSON parsing that says where the text is wrong, without repeating it. V8's own messages differ
 * between Node versions, sometimes carry no position ("Unexpected token 'x', "..." is not valid
 * JSON") and quote the input, which must never reach a log when the text can hold a network password.
 * So when `JSON.parse` fails, a small scanner walks the text to find the first offending offset and
 * describes it in its own words; the result carries a line and column (1-based) for humans.
 */
export type JsonTextResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: string; offset: number; line: number; column: number };

export function parseJsonText(text: string): JsonTextResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // files saved with a BOM
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    const { offset, reason } = locateJsonError(body);
    const skipped = body.length === text.length ? 0 : 1;
    return { ok: false, reason, offset: offset + skipped, ...lineAndColumn(text, offset + skipped) };
  }
}

/** "line 3, column 14: expected ',' or '}' after a property value" */
export function describeJsonError(err: Extract<JsonTextResult, { ok: false }>): string {
  return `line ${err.line}, column ${err.column}: ${err.reason}`;
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Finds the first syntax error of text that JSON.parse refused (RFC 8259 grammar). */
export function locateJsonError(text: string): { offset: number; reason: string } {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw new JsonSyntaxError(at, at >= text.length ? `${reason}, but the text ended` : reason);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`expected a value (string, number, object, array, true, false or null)`);
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail('control character (such as a raw newline or tab) inside a string; escape it');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape: expected 4 hex digits', i);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('bad escape sequence in a string', i);
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail('malformed number');
    i += m![0].length;
    if (i < text.length && /[0-9.eE+-]/.test(text[i]!)) fail('malformed number (no leading zeros, digits needed after "." and "e")');
  };
  const value = (depth: number): void => {
    if (depth > 512) fail('nesting deeper than 512 levels');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a double-quoted property name`);
        string();
        ws();
        if (text[i] !== ':') fail(`expected ':' after a property name`);
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') fail('trailing comma before }');
          continue;
        }
        if (text[i] === '}') return void i++;
        fail(`expected ',' or '}' after a property value`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') fail('trailing comma before ]');
          continue;
        }
        if (text[i] === ']') return void i++;
        fail(`expected ',' or ']' after an array element`);
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === "'") fail('strings and names must use double quotes, not single quotes');
    fail('expected a value (string, number, object, array, true, false or null)');
  };
  try {
    if (text.trim() === '') return { offset: text.length, reason: 'empty document: expected a JSON value' };
    value(0);
    ws();
    if (i < text.length) fail('unexpected text after the end of the JSON value');
    // JSON.parse refused text this scanner accepts (e.g. a lone surrogate it tolerates): say so plainly.
    return { offset: 0, reason: 'not valid JSON' };
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { offset: err.offset, reason: err.reason };
    throw err;
  }
}
