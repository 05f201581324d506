import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { EchosimError } from '../../core/errors.js';

/** `/dev/gpiochip0` for 'gpiochip0' (a path is kept), under `root` (a test's stand-in for `/`). */
export function gpioChipPath(chip: string, root = '/'): string {
  const dev = chip.startsWith('/') ? chip : `/dev/${chip}`;
  return path.join(root, dev);
}

/**
 * Checks that a GPIO chip's character device exists and this user may open it, which is what
 * gpiomon and gpioset need before they can watch or drive a line. The same check runs in
 * `echosim doctor` and when a device with GPIO buttons or an LED power pin starts, so both say the
 * same thing.
 */
export async function checkGpioChip(chip: string, root = '/'): Promise<void> {
  const file = gpioChipPath(chip, root);
  const shown = chip.startsWith('/') ? chip : `/dev/${chip}`;
  try {
    const s = await stat(file);
    if (!s.isCharacterDevice() && root === '/') throw Object.assign(new Error(`${shown} is not a character device`), { code: 'ENOTCHR' });
    await access(file, constants.R_OK | constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint =
      code === 'EACCES' || code === 'EPERM'
        ? `let this user open ${shown}: \`sudo usermod -aG gpio $USER\`, then log in again (for the service: the unit's SupplementaryGroups)`
        : code === 'ENOENT'
          ? `there is no ${shown}: this board has no such GPIO chip (list them with \`gpiodetect\`; on a Raspberry Pi the header is gpiochip0, on a Pi 5 with older kernels gpiochip4)`
          : `check ${shown} with \`gpiodetect\` and \`gpioinfo\``;
    throw new EchosimError('GPIO_UNAVAILABLE', `cannot open GPIO chip ${shown}: ${code === 'ENOENT' ? 'it does not exist' : (err as Error).message}`, {
      hint,
      cause: err,
      details: { chip, code },
    });
  }
}
