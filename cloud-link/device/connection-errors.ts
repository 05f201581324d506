import { EchosimError } from '../../core/errors.js';
import { isTlsBrokerUrl } from '../mqtt/mqtt-errors.js';
import type { ConnectionState } from './mqtt-connection-types.js';

/**
 * The errors a device's MQTT connection reports of its own (what mqtt.js reports is turned into one by
 * describeClientError, cloud-link/mqtt/mqtt-errors.ts), each with what to do about it.
 */

/** A publish or subscribe that cannot go out, or did not complete; `closed`: the connection is closed or closing. */
export function notConnected(message: string, state: ConnectionState, closed: boolean, cause?: unknown): EchosimError {
  return new EchosimError('MQTT_NOT_CONNECTED', message, {
    hint: closed ? 'The connection was closed; create a new one.' : 'Retry once the connection is back (state CONNECTED).',
    ...(cause === undefined ? {} : { cause }),
    details: { state },
  });
}

/** No CONNECTED within the attempt's time on the clock. */
export function connectTimedOut(url: string, timeoutMs: number): EchosimError {
  return new EchosimError('MQTT_CONNECT_FAILED', `no connection to ${url} within ${timeoutMs} ms`, {
    hint: 'Is the broker reachable from this device (host, port, firewall)?',
  });
}

/**
 * The socket closed with no error of its own: while connecting to a plain URL, the broker closed it
 * before accepting it (most likely a TLS port); otherwise the connection was lost.
 */
export function connectionClosed(url: string, whileConnecting: boolean): EchosimError {
  return whileConnecting && !isTlsBrokerUrl(url)
    ? new EchosimError('MQTT_CONNECT_FAILED', `the broker at ${url} closed the connection before accepting it`, {
        hint: 'A TLS port closes plain MQTT: use mqtts:// with --ca (echosim cloud --tls serves it on 8883). The device reconnects on its own with backoff.',
      })
    : new EchosimError('MQTT_CONNECT_FAILED', `connection to ${url} lost`, {
        hint: 'The device reconnects on its own with backoff.',
      });
}

/** A publish outside the device's own topics. */
export function publishNotAuthorized(deviceId: string, topic: string): EchosimError {
  return new EchosimError('MQTT_NOT_AUTHORIZED', `device ${deviceId} may not publish on ${topic}`, {
    hint: `A device publishes only under echosim/v1/devices/${deviceId}/; the broker would drop or disconnect it.`,
    details: { topic },
  });
}
