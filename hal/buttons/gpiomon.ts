import { execFile } from 'node:child_process';
import { EchosimError } from '../../core/errors.js';
import { resolveButton } from './names.js';
import type { ButtonName } from './types.js';

/**
 * libgpiod's `gpiomon` as a protocol: the command line for each major version, its version banner,
 * its event lines, and the offset:button maps users write. The driver is hal/buttons/gpio.ts.
 */

/** libgpiod's tools changed their command line and output completely between v1 and v2. */
export type GpiomonVersion = 1 | 2;

/** Line bias. `as-is` leaves whatever the device tree or a previous user configured. */
export type GpioBias = 'pull-up' | 'pull-down' | 'disabled' | 'as-is';

/** GPIO line offset -> button. */
export type GpioLineMap = Readonly<Record<number, ButtonName>>;

/** The ReSpeaker 2-Mic Pi HAT's user button is on GPIO17 (docs/hardware.md#respeaker-2-mic-hat). */
export const DEFAULT_GPIO_LINES: GpioLineMap = { 17: 'action' };

export const GPIOMON_INSTALL_HINT = 'install libgpiod\'s tools: `sudo apt install gpiod` (or use --buttons keyboard / a button script)';

/**
 * The gpiomon command line watching both edges of `offsets` on `chip`.
 *
 * v1 (Debian 11/12, Raspberry Pi OS up to bookworm): `--line-buffered` matters, because v1 prints
 * through stdio and a pipe is block-buffered: without it a press would sit in a 4 KiB buffer.
 * Its default output (`event: FALLING EDGE offset: 17 timestamp: [  123.456789012]`) is parsed.
 * v2 flushes after every batch of events on its own; its output is fixed with `--format` so the
 * parse does not depend on line names or quoting: `17 falling 123.456789012`.
 * The timestamps are CLOCK_MONOTONIC in both (v1 since kernel 5.7).
 */
export function gpiomonArgs(version: GpiomonVersion, chip: string, offsets: readonly number[], bias: GpioBias): string[] {
  const lines = offsets.map(String);
  if (version === 1) {
    return [
      '--num-events=0',
      '--line-buffered',
      '--falling-edge',
      '--rising-edge',
      ...(bias === 'as-is' ? [] : [`--bias=${bias === 'disabled' ? 'disable' : bias}`]),
      chip,
      ...lines,
    ];
  }
  return ['-c', chip, '-e', 'both', ...(bias === 'as-is' ? [] : [`--bias=${bias}`]), '--format=%o %E %S', ...lines];
}

/** The major version in `gpiomon --version` output (`gpiomon (libgpiod) v1.6.3`), if any. */
export function parseGpiomonVersion(text: string): GpiomonVersion | undefined {
  const m = /\(libgpiod\)\s+v?(\d+)\./.exec(text) ?? /\bv?(\d+)\.\d+(\.\d+)?\b/.exec(text);
  const major = m ? Number(m[1]) : undefined;
  if (major === 1 || major === 0) return 1;
  if (major !== undefined && major >= 2) return 2;
  return undefined;
}

/** One event line of gpiomon. `timeMs` is the kernel's timestamp in ms (undefined when absent). */
export interface GpiomonEvent {
  readonly offset: number;
  readonly rising: boolean;
  readonly timeMs: number | undefined;
}

const V1_LINE = /^event:\s*(RISING|FALLING) EDGE offset:\s*(\d+) timestamp:\s*\[\s*(\d+)\.(\d+)\s*\]/;
const V2_FORMAT_LINE = /^(\d+) (rising|falling) (\d+)\.(\d+)$/;
// v2 without --format: `123.456789012\tfalling\tgpiochip0 17` (or `... "name"` for named lines).
const V2_DEFAULT_LINE = /^(\d+)\.(\d+)\s+(rising|falling)\s+\S+\s+(\d+)\b/;

/**
 * Parses one line in any of the forms above (v1 default, v2 with this driver's --format, v2
 * default). Anything else (a banner, a blank line) is undefined.
 */
export function parseGpiomonLine(line: string): GpiomonEvent | undefined {
  const s = line.trim();
  let m = V2_FORMAT_LINE.exec(s);
  if (m) return { offset: Number(m[1]), rising: m[2] === 'rising', timeMs: ms(m[3], m[4]) };
  m = V1_LINE.exec(s);
  if (m) return { offset: Number(m[2]), rising: m[1] === 'RISING', timeMs: ms(m[3], m[4]) };
  m = V2_DEFAULT_LINE.exec(s);
  if (m) return { offset: Number(m[4]), rising: m[3] === 'rising', timeMs: ms(m[1], m[2]) };
  return undefined;
}

/** Seconds and a fractional part as written (v1's %n is not zero-padded, its default output is). */
function ms(sec: string | undefined, frac: string | undefined): number {
  return Number(sec) * 1000 + Number(`0.${frac ?? '0'}`) * 1000;
}

/** Runs `gpiomon --version` and tells v1 from v2. Missing gpiomon is 'GPIO_UNAVAILABLE'. */
export function detectGpiomonVersion(command = 'gpiomon', env?: NodeJS.ProcessEnv): Promise<GpiomonVersion> {
  return new Promise((resolve, reject) => {
    execFile(command, ['--version'], { ...(env ? { env } : {}) }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new EchosimError('GPIO_UNAVAILABLE', `cannot watch GPIO buttons: ${command} was not found`, { hint: GPIOMON_INSTALL_HINT, cause: err }));
        return;
      }
      const version = err ? undefined : parseGpiomonVersion(String(stdout));
      if (version === undefined) {
        reject(
          new EchosimError('GPIO_UNAVAILABLE', `cannot tell which libgpiod ${command} is: \`${command} --version\` said ${JSON.stringify(String(stdout || stderr).trim())}`, {
            hint: `check that \`${command} --version\` prints "gpiomon (libgpiod) vX.Y"; reinstall with \`sudo apt install --reinstall gpiod\``,
            cause: err ?? undefined,
          }),
        );
        return;
      }
      resolve(version);
    });
  });
}

/**
 * Parses `17:action,27:mic-off` (offset:button pairs) for a model with `buttons`; aliases as in
 * button scripts. Unknown or absent buttons are 'BUTTON_UNKNOWN', bad offsets 'CLI_ARGUMENT_INVALID'.
 */
export function parseGpioLineMap(text: string, buttons: readonly ButtonName[]): GpioLineMap {
  const map: Record<number, ButtonName> = {};
  for (const raw of text.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const [offsetText = '', token = '', ...rest] = raw.split(':').map((p) => p.trim());
    if (!/^\d+$/.test(offsetText) || rest.length > 0 || token === '') {
      throw new EchosimError('CLI_ARGUMENT_INVALID', `GPIO button "${raw}" is not OFFSET:BUTTON`, {
        hint: 'give line offsets and buttons as OFFSET:BUTTON pairs separated by commas, e.g. 17:action,27:mic-off',
      });
    }
    const button = resolveButton(token, buttons);
    if (button === undefined) {
      throw new EchosimError('BUTTON_UNKNOWN', `GPIO button "${raw}": this model has no ${token} button`, {
        hint: `this model's buttons: ${buttons.join(', ')}`,
      });
    }
    map[Number(offsetText)] = button;
  }
  return map;
}
