import { detectGpiomonVersion } from '../../hal/buttons/gpiomon.js';
import { checkGpioChip } from '../../hal/gpio/chip-access.js';
import { RESPEAKER_4MIC_POWER_PIN } from '../../hal/leds/open.js';

/**
 * The checks `echosim doctor` makes of the GPIO pieces, made again when a device starts, so a piece
 * that cannot work stops the start with the doctor's own words instead of a log line while the
 * device runs on without it. (The microphone, the SPI bus and the speaker already fail the start
 * when they are opened, with the errors the doctor reports.)
 */
export async function preflightGpio(opts: { readonly leds: string; readonly buttons: string }, root = '/', env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (opts.leds === 'apa102') await checkGpioChip(RESPEAKER_4MIC_POWER_PIN.chip, root);
  if (opts.buttons === 'gpio') {
    await checkGpioChip('gpiochip0', root);
    await detectGpiomonVersion('gpiomon', env);
  }
}
