import { isEchosimError } from '../../core/errors.js';
import { DeviceWeb } from './device-web.js';
import type { ListenAddress } from './listen-address.js';

/** The demo's device page: on the address asked for, or on a free port when another program has it. */
export async function startDemoWeb(address: ListenAddress, out: (line: string) => void): Promise<DeviceWeb> {
  try {
    return await DeviceWeb.start(address);
  } catch (err) {
    if (!isEchosimError(err, 'WEB_LISTEN_FAILED') || address.port === 0) throw err;
    out(`echosim: port ${address.port} is taken; the device page uses a free port instead`);
    return DeviceWeb.start({ ...address, port: 0 });
  }
}
