/**
 * The device and cloud config files: validated with every bad field named, paths relative to the
 * file, and a flag on the command line winning over the file (the same parsers as the flags).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { applyConfigValues } from '../../../tools/config/apply-config.js';
import { MAX_CONFIG_BYTES, readConfigFile } from '../../../tools/config/config-file.js';
import { cloudConfigSchema, cloudConfigValues } from '../../../tools/config/cloud-config.js';
import { deviceConfigSchema, deviceConfigValues } from '../../../tools/config/device-config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'echosim-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: unknown): string {
  const f = path.join(dir, `c${n++}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

function positive(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return x;
}

/** A command with a few of `echosim device`'s options, parsed from `argv`. */
function deviceLike(argv: string[]): Command {
  const cmd = new Command('device')
    .exitOverride()
    .option('--model <id>', 'model', (v) => {
      if (!['echo-dot-3', 'echo-2'].includes(v)) throw new InvalidArgumentError('expected one of: echo-dot-3, echo-2');
      return v;
    }, 'echo-dot-3')
    .option('--mic <spec>', 'mic')
    .option('--channels <n>', 'channels', positive)
    .option('--keyword <name...>', 'keywords', ['alexa'])
    .option('--offline', 'offline')
    .option('--cloud <url>', 'cloud')
    .option('--device-id <id>', 'id')
    .option('--secret-file <f>', 'secret file')
    .option('--data <dir>', 'data');
  cmd.parse(argv, { from: 'user' });
  return cmd;
}

describe('device config file', () => {
  test('fills the options the command line did not set; a flag wins; paths are relative to the file', () => {
    const f = file({
      model: 'echo-2',
      microphone: { source: 'alsa:plughw:CARD=seeed2micvoicec,DEV=0', channels: 2 },
      wakeWord: { keywords: ['alexa', 'hey_jarvis'] },
      cloud: { url: 'mqtt://127.0.0.1:1883', deviceId: 'kitchen-1', credentialsFile: 'kitchen-1.secret' },
      dataDir: 'flash',
    });
    const cmd = deviceLike(['--channels', '4']);
    applyConfigValues(cmd, f, deviceConfigValues(readConfigFile(f, deviceConfigSchema), f));
    expect(cmd.opts()).toEqual({
      model: 'echo-2',
      mic: 'alsa:plughw:CARD=seeed2micvoicec,DEV=0',
      channels: 4, // the flag
      keyword: ['alexa', 'hey_jarvis'],
      cloud: 'mqtt://127.0.0.1:1883',
      deviceId: 'kitchen-1',
      secretFile: path.join(dir, 'kitchen-1.secret'),
      data: path.join(dir, 'flash'),
    });
    expect(cmd.getOptionValueSource('channels')).toBe('cli');
    expect(cmd.getOptionValueSource('model')).toBe('config');
  });

  test('every bad field is named, in one error, and the file is refused whole', () => {
    const f = file({ model: 3, microphone: { source: 'alsa', channels: 'four' }, leds: 'blink', colour: 'red', cloud: { url: 'http://x', deviceId: 'a', credentialsFile: 's', secret: 'hunter2' } });
    let err: unknown;
    try {
      readConfigFile(f, deviceConfigSchema);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'CONFIG_INVALID', details: { fields: expect.arrayContaining(['model', 'microphone.channels', 'leds', 'colour', 'cloud.url', 'cloud.secret']) } });
    const message = (err as Error).message;
    expect(message).toContain('colour: not a known field');
    expect(message).toContain('cloud.secret: secrets are not kept in a config file');
    expect(message).not.toContain('hunter2');
  });

  test('offline and a cloud section together are refused', () => {
    const f = file({ offline: true, cloud: { url: 'mqtt://h', deviceId: 'a', credentialsFile: 's' } });
    expect(() => readConfigFile(f, deviceConfigSchema)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('offline: offline: true and a cloud section') }));
  });

  test("a value the flag's own parser refuses is CONFIG_INVALID naming the field, and nothing is set", () => {
    const f = file({ model: 'echo-dot-9', microphone: { source: 'stdin' } });
    const cmd = deviceLike([]);
    expect(() => applyConfigValues(cmd, f, deviceConfigValues(readConfigFile(f, deviceConfigSchema), f))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('model: expected one of: echo-dot-3, echo-2') }),
    );
    expect(cmd.opts()).toEqual({ model: 'echo-dot-3', keyword: ['alexa'] });
  });

  test('unreadable, non-JSON and oversized files are refused with what to do', () => {
    expect(() => readConfigFile(path.join(dir, 'nope.json'), deviceConfigSchema)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('cannot read') }));
    expect(() => readConfigFile(file('{"model": "echo-2",}'), deviceConfigSchema)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('not valid JSON') }));
    expect(() => readConfigFile(file(' '.repeat(MAX_CONFIG_BYTES + 1)), deviceConfigSchema)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('more than') }));
  });
});

describe('cloud config file', () => {
  test('maps every section to its flag', () => {
    const f = file({
      dataDir: '/var/lib/echosim/cloud',
      mqtt: { host: '0.0.0.0', port: 8883 },
      http: { port: 8700, enabled: true },
      tls: { enabled: true, subjectNames: ['echo-cloud.lan'] },
      verifyWakeWord: false,
      homeAssistant: { enabled: true },
    });
    const values = cloudConfigValues(readConfigFile(f, cloudConfigSchema), f);
    expect(Object.fromEntries(values.map((v) => [v.option, v.value]))).toEqual({
      data: '/var/lib/echosim/cloud',
      mqttHost: '0.0.0.0',
      mqttPort: 8883,
      httpPort: 8700,
      api: true,
      tls: true,
      tlsSan: ['echo-cloud.lan'],
      verify: false,
      homeAssistant: true,
    });
  });

  test('a bad port and a bad Home Assistant section are named', () => {
    const f = file({ mqtt: { port: 70000 }, homeAssistant: { enabled: 'yes' } });
    expect(() => readConfigFile(f, cloudConfigSchema)).toThrow(expect.objectContaining({ message: expect.stringMatching(/mqtt\.port:[^\n]*\n\s+homeAssistant\.enabled: /) }));
  });
});
