/**
 * Error codes of the hardware: microphone sources and WAV files, buttons, GPIO, LEDs and SPI, the speaker.
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const HAL_ERROR_CODES = [
  'MIC_SPEC_INVALID',
  'WAV_UNREADABLE',
  'WAV_UNSUPPORTED_FORMAT',
  'WAV_TRUNCATED',
  'AUDIO_FORMAT_INVALID',
  'ALSA_CAPTURE_FAILED',
  'ALSA_NOT_INSTALLED',
  'STDIN_UNAVAILABLE',
  'MIC_OFF_HARDWARE_ONLY',
  'BUTTON_SCRIPT_INVALID',
  'BUTTON_UNKNOWN',
  'GPIO_UNAVAILABLE',
  'LED_FRAME_INVALID',
  'SPI_UNAVAILABLE',
  'SPEAKER_UNAVAILABLE',
  'SPEAKER_FAILED',
] as const;

export type HalErrorCode = (typeof HAL_ERROR_CODES)[number];

declare module '../core/errors.js' {
  interface ErrorCodeLists {
    hal: HalErrorCode;
  }
}
