import { Duplex } from 'node:stream';

/**
 * What the broker's login back-off sees as the source of an in-memory client (its "remote address"):
 * every client of the process shares it, as they share 127.0.0.1 over loopback TCP.
 */
export const IN_MEMORY_SOURCE = 'in-memory';

/**
 * What a client in the broker's process gets while the broker is not running (stopped for an outage,
 * closing, not started again yet): the error a closed port gives (ECONNREFUSED), then the close,
 * after the client has written its CONNECT, as over TCP.
 */
export function refusedConnection(address: string): Duplex {
  const stream = new Duplex({ read: () => undefined, write: (_chunk, _encoding, callback) => callback() });
  const refused = Object.assign(new Error(`connect ECONNREFUSED ${address} (in memory)`), { code: 'ECONNREFUSED', syscall: 'connect' });
  process.nextTick(() => stream.destroy(refused));
  return stream;
}
