import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { detectGpiomonVersion, parseGpioLineMap } from '../../hal/buttons/gpiomon.js';
import type { ButtonName } from '../../hal/buttons/types.js';
import { checkGpioChip } from '../../hal/gpio/chip-access.js';
import { GpioSetOutput } from '../../hal/gpio/gpioset-output.js';
import { RESPEAKER_4MIC_POWER_PIN } from '../../hal/leds/open.js';
import { checkSpiNode } from '../../hal/leds/spi-access.js';
import { SPI_DEFAULTS, loadSpiDeviceModule, spidevPath, type SpiDeviceModule } from '../../hal/leds/spi-device-transport.js';
import { check, ok, type CheckResult, type DoctorContext } from './check.js';

/** The SPI bus of the APA102 ring: the node exists and opens, and the spi-device addon loads. */
export function checkSpi(ctx: DoctorContext, loadModule: () => Promise<SpiDeviceModule> = () => loadSpiDeviceModule()): Promise<CheckResult> {
  const { bus, device } = SPI_DEFAULTS;
  return check('SPI (LED ring)', async () => {
    await checkSpiNode(bus, device, ctx.root);
    await loadModule();
    return ok('SPI (LED ring)', `${spidevPath(bus, device)} opens; the spi-device module loads`);
  });
}

/** The LED power pin (GPIO5 on the 4-Mic HAT): its chip opens and gpioset is there. */
export function checkLedPower(ctx: DoctorContext): Promise<CheckResult> {
  const pin = RESPEAKER_4MIC_POWER_PIN;
  const piece = `GPIO ${pin.line} (LED power)`;
  return check(piece, async () => {
    await checkGpioChip(pin.chip, ctx.root);
    const version = await new GpioSetOutput({ chip: pin.chip, line: pin.line, env: ctx.env }).probe();
    return ok(piece, `${pin.chip} opens; gpioset (libgpiod v${version}) drives line ${pin.line}`);
  });
}

/** The button lines: the map parses for this model, the chip opens, gpiomon is there. */
export function checkButtonLines(map: string, buttons: readonly ButtonName[], ctx: DoctorContext, chip = 'gpiochip0'): Promise<CheckResult> {
  const piece = 'GPIO buttons';
  return check(piece, async () => {
    const lines = parseGpioLineMap(map, buttons);
    await checkGpioChip(chip, ctx.root);
    const version = await detectGpiomonVersion('gpiomon', ctx.env);
    const list = Object.entries(lines).map(([line, button]) => `${line}:${button}`).join(', ');
    return ok(piece, `${chip} opens; gpiomon (libgpiod v${version}) watches ${list}`);
  });
}

/** The device's flash directory: it exists (or its parent does, to make it) and is writable. */
export function checkDataDir(dir: string): Promise<CheckResult> {
  const piece = 'data directory';
  return check(piece, async () => {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
      try {
        await access(d, constants.W_OK | constants.X_OK);
        return ok(piece, d === path.resolve(dir) ? `${dir} is writable` : `${dir} will be made in ${d}`);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' || d === path.dirname(d)) {
          return { piece, status: 'fail', detail: `${d} is not writable by this user (${String(code)})`, fix: `give the device's user the directory: \`sudo chown -R $USER ${dir}\` (the service unit's StateDirectory does this)` };
        }
      }
    }
  });
}
