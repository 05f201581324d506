/**
 * Error codes of the tools: config files and service units, benchmarks and fuzzing, the management API client, the
 * device-in-the-loop harness, TTS, the web pages and their WebSocket API, training wake-word heads (tools/train/).
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const TOOLS_ERROR_CODES = [
  'CONFIG_INVALID',
  'SERVICE_INSTALL_FAILED',
  'DEVICE_SCRIPT_INVALID',
  'BENCH_CORPUS_INVALID',
  'BENCH_FAILED',
  'FUZZ_CAMPAIGN_FAILED',
  'A4B_API_ERROR',
  'A4B_API_UNREACHABLE',
  'A4B_TOKEN_MISSING',
  'HARNESS_TIMEOUT',
  'HARNESS_STOPPED',
  'HARNESS_BUSY',
  'HARNESS_INVALID',
  'TTS_UNAVAILABLE',
  'TTS_FAILED',
  'WEB_ADDRESS_INVALID',
  'WEB_LISTEN_FAILED',
  'WEB_PAGE_MODULE_INVALID',
  'WEB_COMMAND_INVALID',
  'WEB_AUDIO_INVALID',
  'WEB_AUDIO_QUEUE_FULL',
  'WEB_UNAUTHORIZED',
  'WEB_RATE_LIMITED',
  'WEB_OPERATION_FAILED',
  'TRAIN_INPUT_INVALID',
  'TRAIN_TOOL_MISSING',
  'TRAIN_DATA_UNAVAILABLE',
  'TRAIN_FETCH_FAILED',
  'TRAIN_EXPORT_MISMATCH',
  'TRAIN_FAILED',
] as const;

export type ToolsErrorCode = (typeof TOOLS_ERROR_CODES)[number];

declare module '../core/errors.js' {
  interface ErrorCodeLists {
    tools: ToolsErrorCode;
  }
}
