import { VirtualClock } from '../../../core/clock.js';
import { GpioButtons } from '../../../hal/buttons/gpio.js';
import { KeyboardButtons } from '../../../hal/buttons/keyboard.js';
import { openButtons } from '../../../hal/buttons/open.js';
import { ScriptedButtons } from '../../../hal/buttons/scripted.js';

const buttons = ['action', 'mic-off', 'volume-up', 'volume-down'] as const;

test('a script comes first, then the live driver of the kind asked for', () => {
  const clock = new VirtualClock();
  const keyboard = openButtons('keyboard', { buttons, clock, script: '1:action' });
  expect(keyboard.drivers.map((d) => d.constructor)).toEqual([ScriptedButtons, KeyboardButtons]);
  expect(keyboard.script).toBe(keyboard.drivers[0]);
  const gpio = openButtons('gpio', { buttons, clock, gpio: '17:action' });
  expect(gpio.drivers.map((d) => d.constructor)).toEqual([GpioButtons]);
  expect(gpio.script).toBeUndefined();
  expect(gpio.gpio).toBe(gpio.drivers[0]);
  expect(keyboard.gpio).toBeUndefined();
  expect(openButtons('none', { buttons, clock }).drivers).toEqual([]);
});

test('a bad script or GPIO map is refused with its code', () => {
  const clock = new VirtualClock();
  expect(() => openButtons('none', { buttons, clock, script: '1:call' })).toThrow(expect.objectContaining({ code: 'BUTTON_SCRIPT_INVALID' }));
  expect(() => openButtons('gpio', { buttons, clock, gpio: 'x:action' })).toThrow(expect.objectContaining({ code: 'CLI_ARGUMENT_INVALID' }));
});
