import { gpiomonArgs, parseGpioLineMap, parseGpiomonLine, parseGpiomonVersion } from '../../../hal/buttons/gpiomon.js';
import type { ButtonName } from '../../../hal/buttons/types.js';
import { thrown } from '../mic/helpers.js';

const ECHO: readonly ButtonName[] = ['action', 'mic-off', 'volume-up', 'volume-down'];

describe('gpiomon command lines and output', () => {
  test('v1: both edges, line-buffered output, bias; v2: -c chip -e both --bias and an explicit --format', () => {
    expect(gpiomonArgs(1, 'gpiochip0', [17], 'pull-up')).toEqual([
      '--num-events=0', '--line-buffered', '--falling-edge', '--rising-edge', '--bias=pull-up', 'gpiochip0', '17',
    ]);
    expect(gpiomonArgs(1, 'gpiochip4', [17, 27], 'disabled')).toEqual([
      '--num-events=0', '--line-buffered', '--falling-edge', '--rising-edge', '--bias=disable', 'gpiochip4', '17', '27',
    ]);
    expect(gpiomonArgs(2, 'gpiochip0', [17, 27], 'pull-up')).toEqual(['-c', 'gpiochip0', '-e', 'both', '--bias=pull-up', '--format=%o %E %S', '17', '27']);
    expect(gpiomonArgs(2, 'gpiochip0', [5], 'as-is')).toEqual(['-c', 'gpiochip0', '-e', 'both', '--format=%o %E %S', '5']);
  });

  test('versions', () => {
    expect(parseGpiomonVersion('gpiomon (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski\n')).toBe(1);
    expect(parseGpiomonVersion('gpiomon (libgpiod) v2.1.3\n')).toBe(2);
    expect(parseGpiomonVersion('gpiomon (libgpiod) v2.0\n')).toBe(2);
    expect(parseGpiomonVersion('usage: gpiomon')).toBeUndefined();
  });

  test('event lines of v1, v2 with our --format, and v2 default output', () => {
    expect(parseGpiomonLine('event: FALLING EDGE offset: 17 timestamp: [     123.456789012]')).toEqual({ offset: 17, rising: false, timeMs: expect.closeTo(123456.789012, 6) });
    expect(parseGpiomonLine('event:  RISING EDGE offset: 27 timestamp: [  12345678.000000001]')).toEqual({ offset: 27, rising: true, timeMs: expect.closeTo(12345678000.000001, 3) });
    expect(parseGpiomonLine('17 falling 123.456789012')).toEqual({ offset: 17, rising: false, timeMs: expect.closeTo(123456.789012, 6) });
    expect(parseGpiomonLine('123.456789012\trising\tgpiochip0 17')).toEqual({ offset: 17, rising: true, timeMs: expect.closeTo(123456.789012, 6) });
    expect(parseGpiomonLine('Monitoring line \'17\'...')).toBeUndefined();
    expect(parseGpiomonLine('')).toBeUndefined();
  });

  test('line maps for the command line', () => {
    expect(parseGpioLineMap('17:action, 27:mic, 22:vol+', ECHO)).toEqual({ 17: 'action', 27: 'mic-off', 22: 'volume-up' });
    expect(parseGpioLineMap('5:mic-off', ['mute', 'call', 'volume-up', 'volume-down'])).toEqual({ 5: 'mute' });
    expect(thrown(() => parseGpioLineMap('17:call', ECHO)).code).toBe('BUTTON_UNKNOWN');
    expect(thrown(() => parseGpioLineMap('x:action', ECHO)).code).toBe('CLI_ARGUMENT_INVALID');
    expect(thrown(() => parseGpioLineMap('17', ECHO)).code).toBe('CLI_ARGUMENT_INVALID');
  });
});
