import { InvalidArgumentError } from 'commander';
import { isEchosimError } from '../../core/errors.js';
import { openMic } from '../../hal/mic/open.js';
import type { MicSource } from '../../hal/mic/types.js';
import { UtteranceThenQuietRoom } from '../commands/demo-microphone.js';
import { BrowserMic } from './browser-mic.js';
import { parseListenAddress, type ListenAddress } from './listen-address.js';

/** commander parser for `--web [HOST:]PORT`. */
export function parseWebOption(value: string): ListenAddress {
  try {
    return parseListenAddress(value);
  } catch (err) {
    if (isEchosimError(err)) throw new InvalidArgumentError(`${err.message}. ${err.hint ?? ''}`.trim());
    throw err;
  }
}

export const WEB_OPTION_HELP = 'serve the device page on [HOST:]PORT (port alone: 127.0.0.1) with its WebSocket API; 0 picks a free port';

/**
 * The microphone of a device with a page: the --mic source, then a quiet room once it ends (a WAV
 * does not end the device while a page may still talk to it), with the page's audio mixed in.
 */
export function webMicrophone(spec: string | MicSource, options: { fast: boolean; channels?: number }): BrowserMic {
  const source = typeof spec === 'string' ? openMic(spec, { fast: options.fast, ...(options.channels ? { channels: options.channels } : {}) }) : spec;
  return new BrowserMic(new UtteranceThenQuietRoom(source));
}
