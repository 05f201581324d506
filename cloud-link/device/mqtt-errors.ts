import { EchosimError } from '../../hal/errors.js';

/** Broker URLs and connection failures, as a user of a device's MQTT connection sees them. */

/** The CONNACK return codes that mean "these credentials may not connect" (3.1.1 and 5.0). */
const NOT_AUTHORIZED_CODES = new Set([4, 5, 134, 135]);

const URL_SCHEMES = new Set(['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ssl:', 'ws:', 'wss:']);

/** Fails fast on a URL mqtt.js could not connect to (it would only fail inside the first attempt). */
export function checkBrokerUrl(url: string): void {
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
}

/** Turns what mqtt.js reports into an error a user can act on. */
export function describeClientError(err: Error & { code?: unknown }, url: string, deviceId: string): EchosimError {
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
  return new EchosimError('MQTT_CONNECT_FAILED', `MQTT connection to ${url} failed: ${err.message}`, {
    hint: typeof code === 'string' ? `Is the broker running and reachable at ${url}? (${code})` : 'The device retries with backoff.',
    cause: err,
    details: { code },
  });
}
