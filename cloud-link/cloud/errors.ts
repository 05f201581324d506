/**
 * Error codes of the cloud: its secret files and database, utterance verification, recordings, the
 * resident pocketsphinx decoder, speech recognition and spoken answers (speech/, answers/).
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const CLOUD_ERROR_CODES = [
  'CLOUD_SECRET_FILE_INSECURE',
  'CLOUD_SECRET_INVALID',
  'CLOUD_DATABASE_INVALID',
  'UTTERANCE_CHUNK_INVALID',
  'VERIFICATION_UNAVAILABLE',
  // The cloud's speech recognizer (verification/keyphrase-spotter.ts, resident-decoder.ts)
  'KEYPHRASE_UNAVAILABLE',
  'KEYPHRASE_BUSY',
  'KEYPHRASE_FAILED',
  'RECORDING_INVALID',
  'RECORDING_STORE_FAILED',
  'SPEECH_UNAVAILABLE',
  'SPEECH_FAILED',
  'ANSWER_SYNTHESIS_FAILED',
] as const;

export type CloudErrorCode = (typeof CLOUD_ERROR_CODES)[number];

declare module '../../core/errors.js' {
  interface ErrorCodeLists {
    cloud: CloudErrorCode;
  }
}
