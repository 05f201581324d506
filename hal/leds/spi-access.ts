import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { spiOpenFailed, spidevPath } from './spi-device-transport.js';

/**
 * Checks that /dev/spidevB.D exists and this user may open it, under `root` (a test's stand-in for
 * `/`); the error is the one opening the LEDs gives (SPI_UNAVAILABLE with what to do).
 */
export async function checkSpiNode(bus: number, device: number, root = '/'): Promise<void> {
  const dev = spidevPath(bus, device);
  try {
    await access(path.join(root, dev), constants.R_OK | constants.W_OK);
  } catch (err) {
    throw spiOpenFailed(dev, bus, device, err);
  }
}
