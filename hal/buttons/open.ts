import type { Clock } from '../../core/clock.js';
import { GpioButtons } from './gpio.js';
import { KeyboardButtons } from './keyboard.js';
import { ScriptedButtons, type ScriptedPress } from './scripted.js';
import type { ButtonDriver, ButtonName } from './types.js';

/** The live button drivers there are (`--buttons`); a script can be added to any of them. */
export const BUTTON_DRIVER_KINDS = ['keyboard', 'gpio', 'none'] as const;
export type ButtonDriverKind = (typeof BUTTON_DRIVER_KINDS)[number];

export interface OpenButtonsOptions {
  /** The buttons the device model has. */
  readonly buttons: readonly ButtonName[];
  readonly clock: Clock;
  /** A button script (hal/buttons/scripted.ts), as text or already parsed, played besides the live driver. */
  readonly script?: string | readonly ScriptedPress[];
  /** For 'gpio': the line map, `OFFSET:BUTTON,...` (default `17:action`, the 2-Mic HAT's button). */
  readonly gpio?: string;
}

export interface OpenedButtons {
  /** Every driver, the script's first. */
  readonly drivers: ButtonDriver[];
  /** The scripted driver, when a script was given (its `remaining` says whether it is still playing). */
  readonly script: ScriptedButtons | undefined;
  /** The GPIO driver, for 'gpio' (its 'error' event says when gpiomon stops working). */
  readonly gpio: GpioButtons | undefined;
}

/**
 * The button drivers of a device: the scripted one when a script is given, then the live one of
 * `kind`. Bad input (a script, a GPIO map) is refused before any driver starts: drivers only take
 * hold of a TTY, a process or a timer when started.
 */
export function openButtons(kind: ButtonDriverKind, options: OpenButtonsOptions): OpenedButtons {
  const { buttons, clock } = options;
  const drivers: ButtonDriver[] = [];
  const given = options.script;
  const script =
    typeof given === 'string'
      ? given === ''
        ? undefined
        : ScriptedButtons.fromScript(given, buttons, clock)
      : given && given.length > 0
        ? new ScriptedButtons(given, clock)
        : undefined;
  if (script) drivers.push(script);
  if (kind === 'keyboard') drivers.push(new KeyboardButtons({ buttons, clock }));
  const gpio = kind === 'gpio' ? GpioButtons.fromMap(options.gpio ?? '17:action', buttons, clock) : undefined;
  if (gpio) drivers.push(gpio);
  return { drivers, script, gpio };
}
