/**
 * Error codes of the device: the audio ring buffer, device models, setup mode, local features and reset,
 * directives from the cloud's assistant (answers/).
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const FIRMWARE_ERROR_CODES = [
  'RING_OVERRUN',
  'RING_TOO_MANY_READERS',
  'RING_INDEX_OUT_OF_RANGE',
  'DEVICE_MODEL_INVALID',
  'DEVICE_MODEL_UNKNOWN',
  'SETUP_MODE_DISABLED',
  'FEATURE_INPUT_INVALID',
  'FEATURE_NOT_FOUND',
  'FEATURE_LIMIT_EXCEEDED',
  'DIRECTIVE_INVALID',
] as const;

export type FirmwareErrorCode = (typeof FIRMWARE_ERROR_CODES)[number];

declare module '../core/errors.js' {
  interface ErrorCodeLists {
    firmware: FirmwareErrorCode;
  }
}
