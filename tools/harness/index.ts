/**
 * The device-in-the-loop test harness (docs/harness.md): a cloud and N simulated devices in one
 * process, audio in (WAV files, samples, or text through espeak-ng), buttons, virtual time, typed
 * events to wait on, and a clean teardown.
 *
 *   const sim = await startSimulation({ devices: 1 });
 *   const echo = sim.device('device-1');
 *   await echo.play(DEMO_WAV);
 *   expect(echo.transitions().slice(-3).map((t) => t.to)).toEqual(['LISTENING', 'THINKING', 'IDLE']);
 *   await sim.stop();
 */
export { startSimulation, Simulation, type SimulationOptions, type DeviceSpec } from './simulation.js';
export { SimDevice } from './sim-device.js';
export { SimCloud, type A4bResponse, type RecordingInfo, type CloudEventTarget } from './sim-cloud.js';
export type { SimDeviceEvents, DeviceEventTarget, DeviceWaitTarget, DeviceSnapshot } from './device-events.js';
export type { AudioInput, PlayOptions, Playback } from './playback.js';
export type { EventRecord } from './event-log.js';
export type { WaitOptions, Pace } from './wait.js';
export { DEMO_WAV, readWav, quietRoom, type HarnessAudio } from './audio.js';
export { speak, espeakAvailable, type SpeakOptions } from './tts.js';
export { disposeModels } from './models.js';
export { frameHex } from './frames.js';
