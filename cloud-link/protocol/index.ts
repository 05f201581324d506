/**
 * The device-cloud protocol shared by both ends of the link: topics, message schemas, payload parsing,
 * the shadow engine and the audio chunk codec. Pure: nothing here opens a socket or a file (except
 * export-schemas.ts, the build step that writes cloud-link/schemas/, which is not re-exported).
 */
export * from './topics.js';
export * from './room-profile.js';
export * from './network-profile.js';
export * from './shadow.js';
export * from './shadow-json.js';
export * from './shadow-engine.js';
export * from './device-shadow.js';
export * from './in-flight-limiter.js';
export * from './jobs.js';
export * from './reset-features.js';
export * from './device-states.js';
export * from './telemetry.js';
export * from './availability.js';
export * from './stream.js';
export * from './utterance.js';
export * from './audio-chunk.js';
export * from './parse.js';
export * from './message-schemas.js';
export { SAMPLE_RATE } from '../../core/audio-format.js';
