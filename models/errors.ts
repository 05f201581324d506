/**
 * Error codes of the models: the manifest, model files, ONNX inference, Porcupine, the wake words the
 * registry's heads cover.
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const MODEL_ERROR_CODES = [
  'MODEL_MANIFEST_INVALID',
  'MODEL_UNKNOWN',
  'MODEL_FILE_MISSING',
  'MODEL_CHECKSUM_MISMATCH',
  'MODEL_LOAD_FAILED',
  'MODEL_INFERENCE_FAILED',
  'MODEL_NOT_STREAMABLE',
  // The int8 embedding (wakeword/quantized-embedding.ts): its calibration file unreadable or invalid,
  // made for another model file, or a model whose convolutions cannot be quantized
  'MODEL_RANGES_INVALID',
  'MODEL_RANGES_MISMATCH',
  'MODEL_NOT_QUANTIZABLE',
  // No wake-word head covers a room profile's WakeWord (wakeword/registry.ts; the device's
  // WakeWordSwitch and its profile applier refuse the profile with it)
  'WAKE_WORD_UNSUPPORTED',
  'PORCUPINE_ACCESS_KEY_MISSING',
  'PORCUPINE_UNAVAILABLE',
] as const;

export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

declare module '../core/errors.js' {
  interface ErrorCodeLists {
    models: ModelErrorCode;
  }
}
