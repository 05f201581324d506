/**
 * `import ... from 'echosim'` resolves through package.json `exports` to the built public API (index.ts;
 * npm test builds dist/ first), and has what the README's and docs/harness.md's examples import.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const pkg = JSON.parse(readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')) as {
  name: string;
  main: string;
  types: string;
  exports: { '.': { types: string; default: string } };
};

/** How many codes the layers' errors.ts files declare in their `*_ERROR_CODES` lists, read from the sources. */
function declaredCodes(): number {
  const files = execFileSync('git', ['ls-files', '*errors.ts'], { cwd: process.cwd(), encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('/errors.ts'));
  let n = 0;
  for (const file of files) {
    const list = /_ERROR_CODES = \[([^\]]*)\]/.exec(readFileSync(path.join(process.cwd(), file), 'utf8'));
    n += list ? (list[1]!.match(/'[A-Z0-9_]+'/g) ?? []).length : 0;
  }
  return n;
}

test('main, types and exports point at the built index', () => {
  expect(pkg.name).toBe('echosim');
  expect(pkg.main).toBe('dist/index.js');
  expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
  for (const file of [pkg.main, pkg.types]) expect(existsSync(path.join(process.cwd(), file))).toBe(true);
});

test("a script importing 'echosim' gets the harness, the errors and every layer's error codes", () => {
  const script = `
    const m = await import('echosim');
    const lists = Object.keys(m).filter((k) => k.endsWith('_ERROR_CODES')).sort();
    console.log(JSON.stringify({
      harness: [typeof m.startSimulation, typeof m.disposeModels, typeof m.DEMO_WAV, typeof m.frameHex],
      error: new m.EchosimError('WAV_TRUNCATED', 'x').code,
      lists,
      codes: lists.reduce((n, k) => n + m[k].length, 0),
      sampleRate: m.SAMPLE_RATE,
      protocol: typeof m.protocol.PRE_ROLL_SAMPLES,
    }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  expect(result).toEqual({
    harness: ['function', 'function', 'string', 'function'],
    error: 'WAV_TRUNCATED',
    lists: [
      'BROKER_ERROR_CODES', 'CLOUD_ERROR_CODES', 'CORE_ERROR_CODES', 'DEVICE_LINK_ERROR_CODES', 'FIRMWARE_ERROR_CODES',
      'HAL_ERROR_CODES', 'MODEL_ERROR_CODES', 'MQTT_ERROR_CODES', 'PROTOCOL_ERROR_CODES', 'TLS_ERROR_CODES', 'TOOLS_ERROR_CODES',
    ],
    codes: declaredCodes(),
    sampleRate: 16000,
    protocol: 'number',
  });
});

test("a script importing 'echosim' gets the composition root and the audio feeder", () => {
  const script = `
    const m = await import('echosim');
    console.log(JSON.stringify([typeof m.DeviceRuntime, typeof m.DeviceRuntime.compose, typeof m.AudioFeeder, typeof m.Device]));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
  expect(JSON.parse(out.trim().split('\n').pop() ?? '[]')).toEqual(['function', 'function', 'function', 'function']);
});
