/**
 * Error codes of the MQTT clients of the device and of the cloud: connecting, authorization, a closed connection.
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const MQTT_ERROR_CODES = [
  'MQTT_NOT_AUTHORIZED',
  'MQTT_CONNECT_FAILED',
  'MQTT_NOT_CONNECTED',
] as const;

export type MqttErrorCode = (typeof MQTT_ERROR_CODES)[number];

declare module '../../core/errors.js' {
  interface ErrorCodeLists {
    mqtt: MqttErrorCode;
  }
}
