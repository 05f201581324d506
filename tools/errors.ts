/**
 * Error codes of the tools: benchmarks and fuzzing, the management API client, the device-in-the-loop harness, TTS.
 * Stable API: scripts and tests match on them; the list of all codes is core/errors.ts `ErrorCode`.
 */
export const TOOLS_ERROR_CODES = [
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
] as const;

export type ToolsErrorCode = (typeof TOOLS_ERROR_CODES)[number];

declare module '../core/errors.js' {
  interface ErrorCodeLists {
    tools: ToolsErrorCode;
  }
}
