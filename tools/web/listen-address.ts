import { isIP } from 'node:net';
import { EchosimError } from '../../core/errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

const HOST_RE = /^[A-Za-z0-9.-]{1,253}$/;

/**
 * `--web [HOST:]PORT`: the port alone binds 127.0.0.1 (only this machine can open the page); a host
 * (an address or a name, `[::1]` for IPv6) binds there. Port 0 picks a free one.
 */
export function parseListenAddress(value: string, defaultHost = '127.0.0.1'): ListenAddress {
  const bad = (why: string): EchosimError =>
    new EchosimError('WEB_ADDRESS_INVALID', `--web ${JSON.stringify(value)}: ${why}`, {
      hint: 'Give a port (8710, bound to 127.0.0.1) or HOST:PORT (0.0.0.0:8710 to let other machines in; [::1]:8710 for IPv6).',
    });
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  if (!m) throw bad('expected [HOST:]PORT');
  const port = Number(m[2]);
  if (port > 65535) throw bad('a port is 0-65535');
  let host = m[1] ?? defaultHost;
  if (host.startsWith('[')) {
    host = host.slice(1, -1);
    if (isIP(host) !== 6) throw bad(`${host} is not an IPv6 address`);
  } else if (!isIP(host) && !HOST_RE.test(host)) throw bad(`${host} is not a host name or address`);
  return { host, port };
}

/** Whether `host` is a loopback address or name: only this machine reaches it. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(h);
}
