import { z } from 'zod';
import { resolveFrom, type ConfigValue } from './config-file.js';

/**
 * The cloud's config file (`echosim cloud --config FILE`, and what `echosim service install cloud`
 * points its unit at). Each field is one of `echosim cloud`'s flags; a flag on the command line wins.
 * Secrets are not in it: the admin token, keys and certificates stay in the data directory.
 * Paths are relative to the config file's folder.
 */
const path = z.string().min(1).max(4096);
const host = z.string().min(1).max(255);
const port = z.number().int().min(0).max(65535);

export const cloudConfigSchema = z.strictObject({
  /** `--data`. */
  dataDir: path.optional(),
  /** The embedded broker's listener (`--mqtt-host`, `--mqtt-port`). */
  mqtt: z.strictObject({ host: host.optional(), port: port.optional() }).optional(),
  /** The HTTP API (`--http-host`, `--http-port`, `--no-api` with enabled: false). */
  http: z.strictObject({ host: host.optional(), port: port.optional(), enabled: z.boolean().optional() }).optional(),
  /** An external broker instead of the embedded one (`--broker`, `--broker-ca`, `--mosquitto-auth`, `--mosquitto-pid`). */
  broker: z
    .strictObject({
      url: z.string().regex(/^mqtts?:\/\/./, 'an mqtt:// or mqtts:// URL').max(2048),
      ca: path.optional(),
      mosquittoAuthDir: path.optional(),
      mosquittoPidFile: path.optional(),
    })
    .optional(),
  /** `--tls` / `--no-tls`, `--tls-san`, `--tls-cert`, `--tls-key`, `--tls-ca`. */
  tls: z
    .strictObject({
      enabled: z.boolean().optional(),
      subjectNames: z.array(z.string().min(1).max(253)).max(32).optional(),
      certFile: path.optional(),
      keyFile: path.optional(),
      caFile: path.optional(),
    })
    .optional(),
  /** `--no-verify` with false. */
  verifyWakeWord: z.boolean().optional(),
  /** `--home-assistant`: MQTT discovery of every registered device under Home Assistant's default prefix, homeassistant/. */
  homeAssistant: z.strictObject({ enabled: z.boolean() }).optional(),
});

export type CloudConfig = z.infer<typeof cloudConfigSchema>;

export function cloudConfigValues(config: CloudConfig, file: string): ConfigValue[] {
  const out: ConfigValue[] = [];
  const put = (field: string, option: string, value: ConfigValue['value'] | undefined): void => {
    if (value !== undefined) out.push({ field, option, value });
  };
  const file_ = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolveFrom(file, p));
  put('dataDir', 'data', file_(config.dataDir));
  put('mqtt.host', 'mqttHost', config.mqtt?.host);
  put('mqtt.port', 'mqttPort', config.mqtt?.port);
  put('http.host', 'httpHost', config.http?.host);
  put('http.port', 'httpPort', config.http?.port);
  put('http.enabled', 'api', config.http?.enabled);
  put('broker.url', 'broker', config.broker?.url);
  put('broker.ca', 'brokerCa', file_(config.broker?.ca));
  put('broker.mosquittoAuthDir', 'mosquittoAuth', file_(config.broker?.mosquittoAuthDir));
  put('broker.mosquittoPidFile', 'mosquittoPid', file_(config.broker?.mosquittoPidFile));
  put('tls.enabled', 'tls', config.tls?.enabled);
  put('tls.subjectNames', 'tlsSan', config.tls?.subjectNames);
  put('tls.certFile', 'tlsCert', file_(config.tls?.certFile));
  put('tls.keyFile', 'tlsKey', file_(config.tls?.keyFile));
  put('tls.caFile', 'tlsCa', file_(config.tls?.caFile));
  put('verifyWakeWord', 'verify', config.verifyWakeWord);
  put('homeAssistant.enabled', 'homeAssistant', config.homeAssistant?.enabled);
  return out;
}
