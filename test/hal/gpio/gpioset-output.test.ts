import path from 'node:path';
import { GpioSetOutput, gpiosetArgs, parseGpiosetVersion } from '../../../hal/gpio/gpioset-output.js';
import { alive, fakeGpioset } from './fake-gpioset.js';

const fake = fakeGpioset();
const calls = fake.calls;
const dir = fake.dir;

const opened: GpioSetOutput[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((g) => g.close().catch(() => undefined)));
  fake.reset();
});
afterAll(() => fake.cleanup());

function output(version: string, extra: NodeJS.ProcessEnv = {}): GpioSetOutput {
  const g = new GpioSetOutput({ chip: 'gpiochip0', line: 5, env: fake.env(version, extra), settleMs: 150 });
  opened.push(g);
  return g;
}

describe('GpioSetOutput', () => {
  test('version parsing and command lines for libgpiod v1 and v2', () => {
    expect(parseGpiosetVersion('gpioset (libgpiod) v1.6.3\nCopyright')).toBe(1);
    expect(parseGpiosetVersion('gpioset (libgpiod) v2.0.1')).toBe(2);
    expect(parseGpiosetVersion('gpioset v2.1')).toBe(2);
    expect(parseGpiosetVersion('gpioset')).toBeUndefined();
    expect(gpiosetArgs(1, 'gpiochip0', 5, true)).toEqual(['--mode=signal', 'gpiochip0', '5=1']);
    expect(gpiosetArgs(2, 'gpiochip0', 5, false)).toEqual(['-c', 'gpiochip0', '5=0']);
  });

  test('libgpiod v1: `gpioset --mode=signal gpiochip0 5=1` holds the line; set(false) kills it and holds 0; close kills that', async () => {
    const g = output('1.6.3');
    const exitHooks = process.listenerCount('exit');
    expect(await g.probe()).toBe(1);
    await g.set(true);
    // An orphaned gpioset would hold the line after a crash: a process exit hook kills it.
    expect(process.listenerCount('exit')).toBe(exitHooks + 1);
    const [high] = calls();
    expect(high?.args).toEqual(['--mode=signal', 'gpiochip0', '5=1']);
    expect(g.pid).toBe(high?.pid);
    expect(alive(high!.pid)).toBe(true);

    await g.set(true); // already held high: no new process
    expect(calls()).toHaveLength(1);

    await g.set(false);
    const [, low] = calls();
    expect(alive(high!.pid)).toBe(false);
    expect(low?.args).toEqual(['--mode=signal', 'gpiochip0', '5=0']);
    expect(alive(low!.pid)).toBe(true);

    expect(process.listenerCount('exit')).toBe(exitHooks + 1);
    await g.close();
    expect(alive(low!.pid)).toBe(false);
    expect(process.listenerCount('exit')).toBe(exitHooks);
    expect(g.pid).toBeUndefined();
    await expect(g.set(true)).rejects.toMatchObject({ code: 'GPIO_UNAVAILABLE' });
  });

  test('libgpiod v2: `gpioset -c gpiochip0 5=1`, held until killed', async () => {
    const g = output('2.0.1');
    await g.set(true);
    await g.set(false);
    await g.close();
    const c = calls();
    expect(c.map((x) => x.args)).toEqual([
      ['-c', 'gpiochip0', '5=1'],
      ['-c', 'gpiochip0', '5=0'],
    ]);
    expect(c.every((x) => !alive(x.pid))).toBe(true);
  });

  test('a missing gpioset is GPIO_UNAVAILABLE with the apt hint', async () => {
    const g = new GpioSetOutput({ line: 5, env: { PATH: path.join(dir, 'nowhere') } });
    opened.push(g);
    await expect(g.set(true)).rejects.toMatchObject({ code: 'GPIO_UNAVAILABLE', hint: expect.stringContaining('sudo apt install gpiod') });
  });

  test('a gpioset that cannot take the line fails set() with what it said', async () => {
    const g = output('2.1', { FAKE_GPIOSET_FAIL: '1' });
    await expect(g.set(true)).rejects.toMatchObject({
      code: 'GPIO_UNAVAILABLE',
      message: expect.stringContaining('Device or resource busy'),
      hint: expect.stringContaining('gpioinfo gpiochip0'),
    });
    expect(g.pid).toBeUndefined();
  });
});
