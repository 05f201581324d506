import { EchosimError } from '../../core/errors.js';
import type { ClientTlsOptions } from '../tls/client-tls.js';
import { describeTlsError } from '../tls/tls-errors.js';

/** Broker URLs and connection failures, as a user of a device's MQTT connection sees them. */

/** The CONNACK return codes that mean "these credentials may not connect" (3.1.1 and 5.0). */
const NOT_AUTHORIZED_CODES = new Set([4, 5, 134, 135]);

const URL_SCHEMES = new Set(['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ssl:', 'ws:', 'wss:']);
const TLS_SCHEMES = new Set(['mqtts:', 'tls:', 'ssl:', 'wss:']);

/** Whether `url` is a TLS broker URL (mqtts://, wss://). */
export function isTlsBrokerUrl(url: string): boolean {
  try {
    return TLS_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * Fails fast on a URL mqtt.js could not connect to (it would only fail inside the first attempt),
 * and on a CA given for a plain URL: the connection would go in clear while its owner believes
 * otherwise.
 */
export function checkBrokerUrl(url: string, tls?: ClientTlsOptions): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !URL_SCHEMES.has(parsed.protocol) || parsed.hostname === '') {
    throw new EchosimError('MQTT_CONNECT_FAILED', `cannot use broker URL "${url}"`, {
      hint: 'Give the broker as mqtt://host:port (or mqtts://, ws://, wss://).',
    });
  }
  if (tls?.ca !== undefined && !TLS_SCHEMES.has(parsed.protocol)) {
    throw new EchosimError('TLS_CONFIG_INVALID', `a CA was given for ${url}, which is not a TLS URL`, {
      hint: `Use mqtts://${parsed.host} (echosim cloud --tls serves it on 8883), or leave out the CA for plain MQTT.`,
    });
  }
}

/** Turns what mqtt.js reports into an error a user can act on (`caSource`: where the trusted CA came from). */
export function describeClientError(err: Error & { code?: unknown }, url: string, deviceId: string, caSource?: string): EchosimError {
  const tlsError = describeTlsError(err, url, caSource);
  if (tlsError) return tlsError;
  const code = err.code;
  if (typeof code === 'number' && NOT_AUTHORIZED_CODES.has(code)) {
    return new EchosimError('MQTT_NOT_AUTHORIZED', `the broker at ${url} refused device ${deviceId}: ${err.message}`, {
      hint: 'Check the device id and secret (the cloud shows a secret once, at registration; re-register the device for a new one).',
      cause: err,
      details: { returnCode: code },
    });
  }
  if (typeof code === 'number' && code === 2) {
    return new EchosimError('MQTT_NOT_AUTHORIZED', `the broker at ${url} rejected client id ${deviceId}: ${err.message}`, {
      hint: 'The client id must be the device id, which is also the username.',
      cause: err,
      details: { returnCode: code },
    });
  }
  // A TLS listener resets (Mosquitto) or closes (Node) a connection that speaks plain MQTT to it.
  const tlsPort = code === 'ECONNRESET' && !isTlsBrokerUrl(url) ? ' A TLS port resets plain MQTT: use mqtts:// with --ca (echosim cloud --tls serves it on 8883).' : '';
  return new EchosimError('MQTT_CONNECT_FAILED', `MQTT connection to ${url} failed: ${err.message}`, {
    hint: typeof code === 'string' ? `Is the broker running and reachable at ${url}? (${code})${tlsPort}` : 'The device retries with backoff.',
    cause: err,
    details: { code },
  });
}
