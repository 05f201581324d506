import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { ClientTlsOptions } from '../tls/client-tls.js';
import type { GivenCertificate } from './server-tls.js';
import type { WakeWordVerifier } from './verification/verifier.js';

export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_MQTTS_PORT = 8883;

/** TLS on the cloud's own listeners (the embedded broker and the HTTP API). */
export interface CloudTlsConfig {
  /** Names (DNS or IP) the server certificate must cover beyond the listeners' own (`--tls-san`). */
  names?: readonly string[];
  /** The operator's certificate instead of the one the cloud makes with its own CA. */
  given?: GivenCertificate;
}

export interface CloudOptions {
  /** The data directory: SQLite database, secret key, admin token, recordings. */
  dir: string;
  clock?: Clock;
  log?: Logger;
  /**
   * The broker: by default an embedded one on 127.0.0.1:1883 (`port: 0` picks a free port); or
   * `{ url }` for any external MQTT broker, which must let `echosim-cloud` log in with the admin
   * token and keep devices in their own topics (see `mosquitto`); for `mqtts://`, `tls` names the
   * CA its certificate must chain to. With the embedded one, `clientInMemory` connects the cloud's own
   * MQTT client to it in memory instead of over its port (a fleet in this process: less CPU).
   */
  broker?: { url: string; tls?: ClientTlsOptions } | { host?: string; port?: number; clientInMemory?: boolean };
  /**
   * An external Mosquitto whose password and ACL files the cloud writes (into `authDir`) whenever a
   * device is registered or removed, then makes it reread them (SIGHUP to `pidFile`, or `reload`).
   */
  mosquitto?: { authDir: string; pidFile?: string; reload?: () => Promise<void> | void };
  /** The HTTP API; default 127.0.0.1:8700 (`port: 0` picks a free port); false: none. */
  http?: { host?: string; port?: number } | false;
  /** Room-profile WakeWords the API accepts (default: those a shipped wake-word model covers). */
  wakeWords?: Iterable<string>;
  /** Cloud wake-word verification: default loads openWakeWord; pass one to share models; false: none. */
  verifier?: WakeWordVerifier | false;
  /**
   * Answer requests (offline recognition with pocketsphinx, answers spoken by flite, directives):
   * true for the default recognizer and voice; false or absent: responses carry nothing to play.
   */
  assistant?: boolean;
  /**
   * Serve `mqtts://` (embedded broker) and `https://` (API) with a certificate the cloud makes and
   * renews in `dir/tls` with its own CA (or the given one); see cloud-link/cloud/server-tls.ts.
   */
  tls?: CloudTlsConfig;
  /**
   * The MQTT version of the cloud's own connection: by default 5 with a Mosquitto it manages (to see
   * and clear stray retained messages, mqtt/stray-retained.ts), 3.1.1 otherwise.
   */
  mqttProtocolVersion?: 4 | 5;
  /** Publish Home Assistant MQTT discovery for every registered device (cloud/home-assistant/). */
  homeAssistant?: boolean;
}
