/**
 * The package's public API (`import { ... } from 'echosim'`): the pieces a device-in-the-loop test or
 * an embedding application composes.
 */
export { EchosimError, isEchosimError, type ErrorCode } from '../hal/errors.js';
export { SystemClock, VirtualClock, type Clock } from '../hal/clock.js';
export * from '../hal/mic/index.js';
export { AudioRingBuffer, RingReader, DEFAULT_RING_CAPACITY } from '../firmware/audio/ring-buffer.js';
export { AudioFrontEnd, type FrontEndEvents, type FrontEndOptions } from '../firmware/audio/front-end.js';
export { driveFrontEnd } from '../firmware/audio/drive.js';
export * from '../firmware/audio/stream-types.js';
export { OpenWakeWordModels } from '../models/wakeword/oww-models.js';
export { OpenWakeWordEngine, type OpenWakeWordEngineOptions } from '../models/wakeword/openwakeword-engine.js';
export { PorcupineEngine } from '../models/wakeword/porcupine-engine.js';
export type { WakeWordDetection, WakeWordEngine, ScoreFrame } from '../models/wakeword/types.js';
export { SileroVad, SileroVadModel } from '../models/vad/silero-vad.js';
export { Endpointer, DEFAULT_ENDPOINTER_OPTIONS } from '../models/vad/endpointer.js';
