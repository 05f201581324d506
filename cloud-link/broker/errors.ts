/**
 * Error codes of the brokers (embedded aedes, Mosquitto files): starting, ACL configuration.
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const BROKER_ERROR_CODES = [
  'MQTT_BROKER_FAILED',
  'MQTT_ACL_CONFIG_INVALID',
] as const;

export type BrokerErrorCode = (typeof BROKER_ERROR_CODES)[number];

declare module '../../core/errors.js' {
  interface ErrorCodeLists {
    broker: BrokerErrorCode;
  }
}
