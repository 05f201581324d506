/**
 * The one error type echosim throws on purpose. Every case has a stable string `code` that scripts
 * and tests can rely on, a message that says what went wrong, and a hint that says what to do.
 */
export type ErrorCode =
  // CLI and configuration
  | 'CLI_ARGUMENT_INVALID'
  | 'MIC_SPEC_INVALID'
  // Audio input
  | 'WAV_UNREADABLE'
  | 'WAV_UNSUPPORTED_FORMAT'
  | 'WAV_TRUNCATED'
  | 'AUDIO_FORMAT_INVALID'
  | 'ALSA_CAPTURE_FAILED'
  | 'ALSA_NOT_INSTALLED'
  | 'STDIN_UNAVAILABLE'
  // Audio pipeline
  | 'RING_OVERRUN'
  | 'RING_TOO_MANY_READERS'
  | 'RING_INDEX_OUT_OF_RANGE'
  // Models
  | 'MODEL_MANIFEST_INVALID'
  | 'MODEL_UNKNOWN'
  | 'MODEL_FILE_MISSING'
  | 'MODEL_CHECKSUM_MISMATCH'
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_INFERENCE_FAILED'
  | 'MODEL_NOT_STREAMABLE'
  | 'PORCUPINE_ACCESS_KEY_MISSING'
  | 'PORCUPINE_UNAVAILABLE'
  // Benchmarks
  | 'BENCH_CORPUS_INVALID'
  | 'BENCH_FAILED'
  | 'FUZZ_CAMPAIGN_FAILED'
  // Device
  | 'DEVICE_MODEL_INVALID'
  | 'DEVICE_MODEL_UNKNOWN'
  | 'LED_FRAME_INVALID'
  | 'SPI_UNAVAILABLE'
  | 'SETTINGS_INVALID'
  | 'MIC_OFF_HARDWARE_ONLY'
  | 'SETUP_MODE_DISABLED'
  | 'DEVICE_NOT_RUNNING'
  | 'BUTTON_SCRIPT_INVALID'
  | 'BUTTON_UNKNOWN'
  | 'GPIO_UNAVAILABLE'
  | 'SPEAKER_UNAVAILABLE'
  | 'SPEAKER_FAILED'
  | 'FEATURE_INPUT_INVALID'
  | 'FEATURE_NOT_FOUND'
  | 'FEATURE_LIMIT_EXCEEDED'
  | 'RESET_FEATURE_INVALID'
  // Management API client (tools/a4b-client.ts)
  | 'A4B_API_ERROR'
  | 'A4B_API_UNREACHABLE'
  | 'A4B_TOKEN_MISSING'
  // The cloud's data directory (cloud-link/cloud/secrets.ts, cloud-link/cloud/db/)
  | 'CLOUD_SECRET_FILE_INSECURE'
  | 'CLOUD_SECRET_INVALID'
  | 'CLOUD_DATABASE_INVALID'
  | 'WIFI_UNAVAILABLE'
  | 'PROFILE_REJECTED'
  | 'WAKE_WORD_UNSUPPORTED'
  // Device-cloud protocol (cloud-link/protocol/)
  | 'DEVICE_ID_INVALID'
  | 'PROTOCOL_MESSAGE_INVALID'
  | 'DEVICE_KEY_INVALID'
  | 'SEALED_SECRETS_UNREADABLE'
  // MQTT transport (cloud-link/broker/, cloud-link/device/mqtt-connection.ts, outbox.ts)
  | 'MQTT_NOT_AUTHORIZED'
  | 'MQTT_CONNECT_FAILED'
  | 'MQTT_NOT_CONNECTED'
  | 'MQTT_BROKER_FAILED'
  | 'MQTT_ACL_CONFIG_INVALID'
  | 'OUTBOX_INVALID'
  | 'OUTBOX_CLOSED'
  // TLS on MQTT and HTTP (cloud-link/tls/)
  | 'TLS_SERVER_UNTRUSTED'
  | 'TLS_HOSTNAME_MISMATCH'
  | 'TLS_SERVER_CERT_EXPIRED'
  | 'TLS_HANDSHAKE_FAILED'
  | 'TLS_CA_INVALID'
  | 'TLS_CONFIG_INVALID'
  // Cloud wake-word verification and recordings (cloud-link/cloud/verification/, recordings/)
  | 'UTTERANCE_CHUNK_INVALID'
  | 'VERIFICATION_UNAVAILABLE'
  | 'RECORDING_INVALID'
  | 'RECORDING_STORE_FAILED'
  // Device-in-the-loop test harness (tools/harness/)
  | 'HARNESS_TIMEOUT'
  | 'HARNESS_STOPPED'
  | 'HARNESS_BUSY'
  | 'HARNESS_INVALID'
  | 'TTS_UNAVAILABLE'
  | 'TTS_FAILED'
  // Training wake-word heads (tools/train/)
  | 'TRAIN_INPUT_INVALID'
  | 'TRAIN_TOOL_MISSING'
  | 'TRAIN_DATA_UNAVAILABLE'
  | 'TRAIN_FETCH_FAILED'
  | 'TRAIN_EXPORT_MISMATCH'
  | 'TRAIN_FAILED';

export interface EchosimErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
  /** Structured context for logs and JSON output. */
  details?: Record<string, unknown>;
}

export class EchosimError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: EchosimErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EchosimError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** One line for a terminal: what happened, then what to do. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function isEchosimError(err: unknown, code?: ErrorCode): err is EchosimError {
  return err instanceof EchosimError && (code === undefined || err.code === code);
}
