/**
 * Error codes of the device's side of the link: Wi-Fi, the outbox.
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const DEVICE_LINK_ERROR_CODES = [
  'WIFI_UNAVAILABLE',
  'OUTBOX_INVALID',
  'OUTBOX_CLOSED',
] as const;

export type DeviceLinkErrorCode = (typeof DEVICE_LINK_ERROR_CODES)[number];

declare module '../../core/errors.js' {
  interface ErrorCodeLists {
    deviceLink: DeviceLinkErrorCode;
  }
}
