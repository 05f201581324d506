/**
 * GPIO buttons through libgpiod's gpiomon. No GPIO chip exists here, so gpiomon itself is the lowest
 * layer: a fake `gpiomon` script placed first on the PATH of an injected environment answers
 * `--version` like v1 or v2, records the arguments it was given and prints event lines in that
 * version's format (bounces included), then waits to be killed, as the real one would.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { GpioButtons } from '../../../hal/buttons/gpio.js';
import { detectGpiomonVersion } from '../../../hal/buttons/gpiomon.js';
import type { ButtonEdge, ButtonName } from '../../../hal/buttons/types.js';
import { pino } from 'pino';
import { VirtualClock } from '../../../core/clock.js';
import type { EchosimError } from '../../../core/errors.js';
import { tempDir, thrown, until } from '../mic/helpers.js';

const ECHO: readonly ButtonName[] = ['action', 'mic-off', 'volume-up', 'volume-down'];
const tmp = tempDir('echosim-gpio-');
afterAll(() => tmp.cleanup());

let fakes = 0;

/** A directory holding a fake gpiomon; returns the env to run it with and where its args land. */
function fakeGpiomon(o: { version: string; stdout?: string; stderr?: string; exit?: number }): { env: NodeJS.ProcessEnv; argsFile: string } {
  const dir = tmp.file(`bin${fakes++}`);
  mkdirSync(dir);
  const argsFile = `${dir}/args`;
  const script = [
    '#!/bin/sh',
    `if [ "$1" = "--version" ]; then printf '%s\\n' ${shellQuote(`gpiomon (libgpiod) ${o.version}`)} 'Copyright (C) 2017-2023 Bartosz Golaszewski'; exit 0; fi`,
    `for a in "$@"; do printf '%s\\n' "$a"; done > ${shellQuote(argsFile)}`,
    o.stdout === undefined ? '' : `printf '%s' ${shellQuote(o.stdout)}`,
    o.stderr === undefined ? '' : `printf '%s\\n' ${shellQuote(o.stderr)} >&2`,
    o.exit === undefined ? 'exec sleep 60' : `exit ${o.exit}`,
  ].join('\n');
  writeFileSync(`${dir}/gpiomon`, `${script}\n`);
  chmodSync(`${dir}/gpiomon`, 0o755);
  return { env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` }, argsFile };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

async function run(driver: GpioButtons, count: number): Promise<{ edges: ButtonEdge[]; errors: EchosimError[] }> {
  const edges: ButtonEdge[] = [];
  const errors: EchosimError[] = [];
  driver.on('error', (e) => errors.push(e));
  driver.start((e) => edges.push(e));
  await until(() => edges.length >= count || errors.length > 0, 20_000);
  return { edges, errors };
}

describe('GpioButtons with a fake gpiomon', () => {
  // A press that bounces three times, held ~90 ms, and a release that bounces once, all stamped by
  // the kernel and arriving in one read.
  const BOUNCY_V1 = [
    'event: FALLING EDGE offset: 17 timestamp: [     100.000000000]',
    'event:  RISING EDGE offset: 17 timestamp: [     100.000800000]',
    'event: FALLING EDGE offset: 17 timestamp: [     100.001500000]',
    'event:  RISING EDGE offset: 17 timestamp: [     100.090000000]',
    'event: FALLING EDGE offset: 17 timestamp: [     100.090500000]',
    'event:  RISING EDGE offset: 17 timestamp: [     100.091000000]',
    '',
  ].join('\n');

  test('v1: the arguments it got, and every raw edge of a bouncing button (active-low), spaced as the kernel stamped them', async () => {
    const { env, argsFile } = fakeGpiomon({ version: 'v1.6.3', stdout: BOUNCY_V1 });
    const clock = new VirtualClock(5000);
    const driver = await GpioButtons.open({ clock, env });
    expect(driver.version).toBe(1);
    const { edges, errors } = await run(driver, 6);
    expect(errors).toEqual([]);
    expect(readFileSync(argsFile, 'utf8').trim().split('\n')).toEqual([
      '--num-events=0', '--line-buffered', '--falling-edge', '--rising-edge', '--bias=pull-up', 'gpiochip0', '17',
    ]);
    expect(edges.map((e) => e.pressed)).toEqual([true, false, true, false, true, false]);
    expect(edges.every((e) => e.button === 'action')).toBe(true);
    const expected = [4909, 4909.8, 4910.5, 4999, 4999.5, 5000];
    edges.forEach((e, i) => expect(e.at).toBeCloseTo(expected[i] ?? NaN, 6));
    const pid = driver.pid ?? 0;
    expect(pid).toBeGreaterThan(0);
    await driver.close();
    await until(() => gone(pid));
    expect(errors).toEqual([]);
  });

  test('v2: --format lines on two lines mapped to two buttons; active-high wiring with pull-downs', async () => {
    const stdout = ['17 rising 50.000000000', '27 rising 50.010000000', '17 falling 50.200000000', '27 falling 50.250000000', ''].join('\n');
    const { env, argsFile } = fakeGpiomon({ version: 'v2.1.3', stdout });
    const clock = new VirtualClock(1000);
    const driver = GpioButtons.fromMap('17:action,27:mic-off', ECHO, clock, { env, activeLow: false, bias: 'pull-down', chip: 'gpiochip4' });
    const { edges, errors } = await run(driver, 4);
    expect(errors).toEqual([]);
    expect(driver.version).toBe(2);
    expect(readFileSync(argsFile, 'utf8').trim().split('\n')).toEqual([
      '-c', 'gpiochip4', '-e', 'both', '--bias=pull-down', '--format=%o %E %S', '17', '27',
    ]);
    expect(edges.map((e) => `${e.button}:${e.pressed}`)).toEqual(['action:true', 'mic-off:true', 'action:false', 'mic-off:false']);
    edges.forEach((e, i) => expect(e.at).toBeCloseTo([750, 760, 950, 1000][i] ?? NaN, 6));
    await driver.close();
  });

  test('gpiomon dying is an error event with what it said, not a crash; no edges after', async () => {
    const { env } = fakeGpiomon({
      version: 'v1.6.3',
      stderr: 'gpiomon: unable to request GPIO lines for events: Device or resource busy',
      exit: 1,
    });
    const driver = await GpioButtons.open({ clock: new VirtualClock(), env });
    const { edges, errors } = await run(driver, 1);
    expect(edges).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'GPIO_UNAVAILABLE',
      message: expect.stringContaining('exited with code 1: gpiomon: unable to request GPIO lines for events: Device or resource busy'),
      hint: expect.stringContaining('gpioinfo'),
      details: expect.objectContaining({ exitCode: 1 }),
    });
    await driver.close();
  });

  test('without an error listener, gpiomon dying is logged and the process survives', async () => {
    const { env } = fakeGpiomon({ version: 'v2.1.3', stderr: 'gpiomon: unable to open chip: Permission denied', exit: 1 });
    const logged: Array<{ msg: string; err: { code: string; hint: string } }> = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const driver = GpioButtons.fromMap('17:action', ECHO, new VirtualClock(), { env, logger });
    driver.start(() => undefined);
    await until(() => logged.length > 0, 20_000);
    expect(logged[0]?.msg).toContain('Permission denied');
    expect(logged[0]?.err).toMatchObject({ code: 'GPIO_UNAVAILABLE', hint: expect.stringContaining('usermod -aG gpio') });
    await driver.close();
  });

  test('a missing gpiomon is GPIO_UNAVAILABLE with the install hint, at open() or as an error event', async () => {
    const env = { ...process.env, PATH: tmp.dir };
    const err = await GpioButtons.open({ clock: new VirtualClock(), env }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'GPIO_UNAVAILABLE', hint: expect.stringContaining('sudo apt install gpiod') });
    await expect(detectGpiomonVersion('gpiomon', env)).rejects.toMatchObject({ code: 'GPIO_UNAVAILABLE' });

    const driver = GpioButtons.fromMap('17:action', ECHO, new VirtualClock(), { env });
    const { errors } = await run(driver, 1);
    expect(errors.map((e) => [e.code, e.hint])).toEqual([['GPIO_UNAVAILABLE', expect.stringContaining('sudo apt install gpiod')]]);
    await driver.close();
  });

  test('bad line maps fail at construction', () => {
    expect(thrown(() => new GpioButtons({ clock: new VirtualClock(), lines: {} })).code).toBe('BUTTON_UNKNOWN');
    expect(thrown(() => new GpioButtons({ clock: new VirtualClock(), lines: { 17: 'jump' as ButtonName } })).code).toBe('BUTTON_UNKNOWN');
  });
});
