/**
 * Bounds of the WebSocket API behind the web pages (docs/web.md). Every size is checked before a
 * message is parsed or anything is allocated for it: `ws` refuses a frame larger than
 * MAX_SOCKET_PAYLOAD_BYTES at its header (close 1009), and a text command longer than
 * MAX_COMMAND_BYTES is refused before JSON.parse.
 */

/** Longest JSON command a client may send (text frames). */
export const MAX_COMMAND_BYTES = 4096;

/** Longest binary frame of microphone audio (s16le mono 16 kHz): 0.5 s. */
export const MAX_AUDIO_MESSAGE_BYTES = 16_000;

/** The largest frame either socket accepts from a client. */
export const MAX_SOCKET_PAYLOAD_BYTES = Math.max(MAX_COMMAND_BYTES, MAX_AUDIO_MESSAGE_BYTES);

/** Browser audio waiting to be mixed into the microphone, at most this much (ms); more is refused. */
export const MAX_QUEUED_AUDIO_MS = 10_000;

/** Messages (commands and audio frames) a client may send per second, averaged over a 2 s burst. */
export const MAX_CLIENT_MESSAGES_PER_SECOND = 60;

/** The cloud socket: how long a client has to send its credentials after connecting. */
export const AUTH_TIMEOUT_MS = 5_000;

/** The cloud socket: rows a client may ask live ring thumbnails for at once (the rows in view). */
export const MAX_VIEWED_DEVICES = 200;

/** Events the device socket keeps to replay in its snapshot. */
export const SNAPSHOT_EVENT_HISTORY = 50;

/** A socket whose unsent data passes this many bytes is skipped for LED frames and levels until it drains. */
export const MAX_BUFFERED_BYTES = 1 << 20;
