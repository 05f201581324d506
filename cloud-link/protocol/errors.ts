/**
 * Error codes of the device-cloud contract: device ids, message schemas, the device key and sealed
 * secrets, a refused profile, an unknown reset feature.
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const PROTOCOL_ERROR_CODES = [
  'DEVICE_ID_INVALID',
  'PROTOCOL_MESSAGE_INVALID',
  'DEVICE_KEY_INVALID',
  'SEALED_SECRETS_UNREADABLE',
  'PROFILE_REJECTED',
  'RESET_FEATURE_INVALID',
] as const;

export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

declare module '../../core/errors.js' {
  interface ErrorCodeLists {
    protocol: ProtocolErrorCode;
  }
}
