/**
 * JSON errors with line and column, in our own words: consistent across Node versions and never
 * quoting the input (which can hold a password).
 */
import { describeJsonError, locateJsonError, parseJsonText } from '../../../../cloud-link/cloud/http/json-text.js';

function failure(text: string): string {
  const r = parseJsonText(text);
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} to fail`);
  return describeJsonError(r);
}

describe('parseJsonText', () => {
  test('valid JSON parses, a UTF-8 BOM is tolerated', () => {
    expect(parseJsonText('{"a":[1,2.5e3,true,null,"\\u00e9"]}')).toEqual({ ok: true, value: { a: [1, 2500, true, null, 'é'] } });
    expect(parseJsonText('\ufeff{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  test.each([
    ['{"a":1,}', 'line 1, column 8: trailing comma before }'],
    ['[1,2,]', 'line 1, column 6: trailing comma before ]'],
    ['{\n  "a": 1\n  "b": 2\n}', "line 3, column 3: expected ',' or '}' after a property value"],
    ['{"a" 1}', "line 1, column 6: expected ':' after a property name"],
    ['{a: 1}', 'line 1, column 2: expected a double-quoted property name'],
    ["{'a': 1}", 'line 1, column 2: expected a double-quoted property name'],
    ['{"a": \'x\'}', 'line 1, column 7: strings and names must use double quotes, not single quotes'],
    ['{"a":tru}', 'line 1, column 6: expected a value (string, number, object, array, true, false or null)'],
    ['{"a":01}', 'line 1, column 7: malformed number (no leading zeros, digits needed after "." and "e")'],
    ['{"a":1.}', 'line 1, column 7: malformed number (no leading zeros, digits needed after "." and "e")'],
    ['{"a":"x\ny"}', 'line 1, column 8: control character (such as a raw newline or tab) inside a string; escape it'],
    ['{"a":"\\q"}', 'line 1, column 7: bad escape sequence in a string'],
    ['{"a":"\\u12G4"}', 'line 1, column 7: bad \\u escape: expected 4 hex digits'],
    ['{"a":"abc', 'line 1, column 10: unterminated string, but the text ended'],
    ['{"a":1', "line 1, column 7: expected ',' or '}' after a property value, but the text ended"],
    ['{"a":1} x', 'line 1, column 9: unexpected text after the end of the JSON value'],
    ['', 'line 1, column 1: empty document: expected a JSON value'],
    ['  \n ', 'line 2, column 2: empty document: expected a JSON value'],
  ])('%j -> %s', (text, expected) => {
    expect(failure(text)).toBe(expected);
  });

  test('positions count from the original text, BOM included', () => {
    expect(failure('\ufeff{"a":1,}')).toBe('line 1, column 9: trailing comma before }');
  });

  test('messages never quote the input', () => {
    const secret = 'Hunter2-Secret';
    for (const text of [`{"p": "${secret}" x}`, `{"p": ${secret}}`, `["${secret}"`, `{"${secret}"}`]) {
      expect(failure(text)).not.toContain('Hunter');
    }
  });

  test('every V8 refusal is located by the scanner (agreement on a batch of broken documents)', () => {
    const base = '{"ProfileName":"HQ","MaxVolumeLimit":7,"Earcons":{"StartOfRequest":true},"List":[1,2,3]}';
    // Delete each single character: whenever JSON.parse refuses, the scanner must refuse too.
    for (let i = 0; i < base.length; i++) {
      const broken = base.slice(0, i) + base.slice(i + 1);
      let v8ok = true;
      try {
        JSON.parse(broken);
      } catch {
        v8ok = false;
      }
      if (!v8ok) expect(locateJsonError(broken).reason).not.toBe('not valid JSON');
    }
  });
});
