/**
 * The device script (`echosim device --script`): button presses and local commands at device times,
 * the commands checked by the one LocalCommand schema the cloud's SendDeviceCommand uses, every bad
 * line refused with its line number before anything starts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalCommandSchema } from '../../../cloud-link/protocol/local-command.js';
import { EchosimError } from '../../../core/errors.js';
import type { ButtonName } from '../../../hal/buttons/types.js';
import { MAX_SCRIPT_BYTES, MAX_SCRIPT_ENTRIES, parseDeviceScript, readDeviceScript } from '../../../tools/script/device-script.js';

const ECHO: ButtonName[] = ['action', 'mic-off', 'volume-up', 'volume-down'];

function thrown(fn: () => unknown): EchosimError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EchosimError) return err;
    throw err;
  }
  throw new Error('expected an EchosimError');
}

test('presses and commands, in time order, with their lines; commas and # inside JSON strings are text', () => {
  const script = [
    '# a comment line, then a blank one',
    '',
    '3:{"Action":"ADD_LIST_ITEM","List":"shopping","Text":"milk, #2 {oat}"}  # the comment after it',
    '1.5:mic-off, 0.5:{"Action":"SET_DO_NOT_DISTURB","Enabled":true},',
    '0.5:{"Action":"START_TIMER","DurationSeconds":60,"Label":"tea"}',
    '10:action:8',
  ].join('\n');
  const s = parseDeviceScript(script, ECHO);
  expect(s.presses.map((p) => [p.button, p.startMs, p.holdMs])).toEqual([
    ['mic-off', 1500, 100],
    ['action', 10_000, 8000],
  ]);
  expect(s.commands).toEqual([
    { atMs: 500, line: 4, entry: '0.5:{"Action":"SET_DO_NOT_DISTURB","Enabled":true}', command: { Action: 'SET_DO_NOT_DISTURB', Enabled: true } },
    { atMs: 500, line: 5, entry: expect.any(String), command: { Action: 'START_TIMER', DurationSeconds: 60, Label: 'tea' } },
    { atMs: 3000, line: 3, entry: expect.any(String), command: { Action: 'ADD_LIST_ITEM', List: 'shopping', Text: 'milk, #2 {oat}' } },
  ]);
});

test('a button-only script is read as before', () => {
  const s = parseDeviceScript('1.5:mic-off,4.0:mic-off,6.0:action,10:action:8', ECHO);
  expect(s.presses).toHaveLength(4);
  expect(s.commands).toEqual([]);
});

test.each([
  ['1:mic-off\n2:{"Action":"SET_VOLUME","Volume":11}', 2, 'is not a valid local command', 'Volume'],
  ['2:{"Action":"START_TIMER","DurationSeconds":0}', 1, 'is not a valid local command', 'DurationSeconds'],
  ['2:{"Action":"SET_ALARM","Time":"7:30"}', 1, 'must be HH:MM', 'Time'],
  ['2:{"Action":"ADD_LIST_ITEM","List":"groceries","Text":"x"}', 1, 'is not a valid local command', 'List'],
  ['2:{"Action":"REBOOT"}', 1, 'is not a valid local command', 'Action'],
  ['2:{"Action":"SET_DO_NOT_DISTURB","Enabled":true,"Extra":1}', 1, 'is not a valid local command', 'Extra'],
  ['\n\n3:{"Action":"SET_DO_NOT_DISTURB","Enabled":tru}', 3, 'is not a JSON local command', ''],
  ['1:action\n2:{"Action":"START_TIMER","DurationSeconds":5', 2, 'is not closed on its line', ''],
  ['x:{"Action":"SET_DO_NOT_DISTURB","Enabled":true}', 1, 'has time "x"', ''],
  ['-1:{"Action":"SET_DO_NOT_DISTURB","Enabled":true}', 1, 'has a negative time', ''],
])('%j is DEVICE_SCRIPT_INVALID on line %i', (script, line, message, field) => {
  const err = thrown(() => parseDeviceScript(script, ECHO));
  expect(err.code).toBe('DEVICE_SCRIPT_INVALID');
  expect(err.message).toContain(`--script line ${line} `);
  expect(err.message).toContain(message);
  expect(err.message).toContain(field);
  expect(err.details).toMatchObject({ line });
  expect(err.hint).toContain('SECONDS:{JSON}');
  expect(err.hint).toContain('Nothing was started');
});

test('the schema is the contract: what SendDeviceCommand refuses, the script refuses', () => {
  const command = { Action: 'SET_VOLUME', Volume: 11 };
  expect(LocalCommandSchema.safeParse(command).success).toBe(false);
  expect(thrown(() => parseDeviceScript(`1:${JSON.stringify(command)}`, ECHO)).code).toBe('DEVICE_SCRIPT_INVALID');
  const ok = { Action: 'SET_VOLUME', Volume: 10 };
  expect(parseDeviceScript(`1:${JSON.stringify(ok)}`, ECHO).commands[0]?.command).toEqual(LocalCommandSchema.parse(ok));
});

test('a bad press names its line, and stays BUTTON_SCRIPT_INVALID', () => {
  const err = thrown(() => parseDeviceScript('1:{"Action":"SET_DO_NOT_DISTURB","Enabled":true}\n\n2:mic-of', ECHO, 'night.script'));
  expect(err.code).toBe('BUTTON_SCRIPT_INVALID');
  expect(err.message).toBe('night.script: button script line 3 "2:mic-of" names no button ("mic-of")');
  expect(err.hint).toContain('SECONDS:{JSON}');
  const overlap = thrown(() => parseDeviceScript('1:action:5\n3:action', ECHO));
  expect(overlap.message).toContain('line 2 "3:action" presses action while "1:action:5" still holds it');
  expect(thrown(() => parseDeviceScript('1:action, ,2:mic', ECHO)).message).toContain('line 1 entry 2 "" is empty');
});

test('sizes are bounded before anything is parsed', () => {
  expect(thrown(() => parseDeviceScript('#'.repeat(MAX_SCRIPT_BYTES + 1), ECHO)).code).toBe('DEVICE_SCRIPT_INVALID');
  const many = Array.from({ length: MAX_SCRIPT_ENTRIES + 1 }, (_, i) => `${i}:{"Action":"SET_DO_NOT_DISTURB","Enabled":true}`).join('\n');
  expect(thrown(() => parseDeviceScript(many, ECHO)).message).toContain(`more than ${MAX_SCRIPT_ENTRIES} entries`);
});

describe('readDeviceScript', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'echosim-script-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the value itself, or @FILE', () => {
    expect(readDeviceScript('1:action')).toEqual({ text: '1:action', source: '--script' });
    const file = path.join(dir, 'a.script');
    writeFileSync(file, '1:action\n');
    expect(readDeviceScript(`@${file}`)).toEqual({ text: '1:action\n', source: file });
  });

  test('a missing or oversized file is DEVICE_SCRIPT_INVALID', () => {
    expect(thrown(() => readDeviceScript(`@${path.join(dir, 'none')}`)).message).toContain('cannot read the script file');
    const big = path.join(dir, 'big.script');
    writeFileSync(big, Buffer.alloc(MAX_SCRIPT_BYTES + 1, 0x23));
    expect(thrown(() => readDeviceScript(`@${big}`)).message).toContain('at most');
  });
});
