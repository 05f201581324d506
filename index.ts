/**
 * The package's public API (`import { ... } from 'echosim'`): the pieces a device-in-the-loop test or
 * an embedding application composes.
 */
export { EchosimError, isEchosimError, CORE_ERROR_CODES, type ErrorCode, type EchosimErrorOptions } from './core/errors.js';
// Each layer's error codes (ErrorCode is their union)
export { HAL_ERROR_CODES } from './hal/errors.js';
export { MODEL_ERROR_CODES } from './models/errors.js';
export { PROTOCOL_ERROR_CODES } from './cloud-link/protocol/errors.js';
export { FIRMWARE_ERROR_CODES } from './firmware/errors.js';
export { TLS_ERROR_CODES } from './cloud-link/tls/errors.js';
export { MQTT_ERROR_CODES } from './cloud-link/mqtt/errors.js';
export { BROKER_ERROR_CODES } from './cloud-link/broker/errors.js';
export { DEVICE_LINK_ERROR_CODES } from './cloud-link/device/errors.js';
export { CLOUD_ERROR_CODES } from './cloud-link/cloud/errors.js';
export { TOOLS_ERROR_CODES } from './tools/errors.js';
export { SAMPLE_RATE } from './core/audio-format.js';
export { SystemClock, VirtualClock, type Clock } from './core/clock.js';
export * from './hal/mic/index.js';
export { AudioRingBuffer, RingReader, DEFAULT_RING_CAPACITY } from './firmware/audio/ring-buffer.js';
export { AudioFrontEnd, type FrontEndEvents, type FrontEndOptions } from './firmware/audio/front-end.js';
export { driveFrontEnd } from './firmware/audio/drive.js';
export { AudioFeeder, type AudioSink, type AudioFeederOptions, type SettleOptions } from './firmware/audio/audio-feeder.js';
export * from './cloud-link/protocol/stream.js';
export { OpenWakeWordModels } from './models/wakeword/oww-models.js';
export { OpenWakeWordEngine, type OpenWakeWordEngineOptions } from './models/wakeword/openwakeword-engine.js';
export { PorcupineEngine } from './models/wakeword/porcupine-engine.js';
export type { WakeWordDetection, WakeWordEngine, ScoreFrame } from './models/wakeword/types.js';
export { SileroVad, SileroVadModel } from './models/vad/silero-vad.js';
export { Endpointer, DEFAULT_ENDPOINTER_OPTIONS } from './models/vad/endpointer.js';
// The device
export { Device } from './firmware/device/device.js';
export type { DeviceEvents, DeviceOptions, ButtonAction } from './firmware/device/types.js';
export type { DeviceLink, DeviceLinkEvents } from './firmware/device/link.js';
export type { DeviceControl, DeviceControlEventName } from './firmware/device/device-control.js';
export { runDevice, type RunOptions, type RunSummary } from './firmware/device/runner.js';
export { TRANSITIONS, DEFAULT_STATE_TIMEOUTS, type StateTimeouts } from './firmware/state/device-states.js';
export { DEVICE_STATES, DEVICE_INPUTS, type DeviceState, type DeviceInput } from './cloud-link/protocol/device-states.js';
export { DeviceStateMachine, type Transition } from './firmware/state/state-machine.js';
export { deviceModel, loadDeviceModels, type DeviceModel } from './firmware/device-model.js';
export { type ButtonName } from './hal/buttons/types.js';
export { LocalFeatures } from './firmware/features/local-features.js';
export { SettingsStore } from './core/settings-store.js';
export { LedRing } from './firmware/leds/led-ring.js';
export type { LedPattern } from './firmware/leds/patterns.js';
export type { LedFrame, LedRenderer, Rgb } from './hal/leds/types.js';
export { openLeds } from './hal/leds/open.js';
export { Apa102Renderer, encodeApa102, type SpiTransport, type GpioOutput } from './hal/leds/apa102.js';
export { ScriptedButtons, parseButtonScript } from './hal/buttons/scripted.js';
export { KeyboardButtons } from './hal/buttons/keyboard.js';
export { GpioButtons } from './hal/buttons/gpio.js';
export type { ButtonDriver, ButtonEdge } from './hal/buttons/types.js';
export { Speaker } from './firmware/speaker/speaker.js';
export { openSpeaker } from './hal/speaker/open.js';
export type { SpeakerDriver } from './hal/speaker/types.js';
export { DoaEstimator, DoaAccumulator, type DoaEstimate } from './firmware/audio/doa/doa-estimator.js';
// The cloud link: protocol (topics, schemas, shadow, jobs, telemetry), the device's side, the cloud
export * as protocol from './cloud-link/protocol/index.js';
export { DeviceCloudLink } from './cloud-link/device/link/device-cloud-link.js';
export type { DeviceCloudLinkOptions, DeviceCloudLinkEvents } from './cloud-link/device/link/link-options.js';
export { MqttConnection, type ConnectionState, type ConnectionStateChange, type MqttConnectionOptions } from './cloud-link/device/mqtt-connection.js';
export { Outbox } from './cloud-link/device/outbox.js';
export { SimulatedWifi } from './cloud-link/device/wifi/simulated-wifi.js';
export { NetworkManagerWifi } from './cloud-link/device/wifi/network-manager.js';
export type { WifiManager, WifiCredentials, WifiStatus } from './cloud-link/device/wifi/wifi-manager.js';
export { Cloud } from './cloud-link/cloud/cloud.js';
export { DEFAULT_MQTT_PORT, type CloudOptions } from './cloud-link/cloud/cloud-options.js';
export type { CloudEvents } from './cloud-link/cloud/mqtt/cloud-events.js';
export { A4bService } from './cloud-link/cloud/a4b/service.js';
export { A4bError } from './cloud-link/cloud/a4b/errors.js';
export { ApiServer, DEFAULT_API_PORT } from './cloud-link/cloud/http/api-server.js';
export { EmbeddedBroker } from './cloud-link/broker/embedded-broker.js';
export { writeMosquittoAuth, writeMosquittoConfig, type MosquittoUser } from './cloud-link/broker/mosquitto-config.js';
export { WakeWordVerifier } from './cloud-link/cloud/verification/verifier.js';
export { RecordingStore } from './cloud-link/cloud/recordings/recording-store.js';
export { A4bClient } from './tools/a4b-client.js';
// The composition root: one device with its cloud link, booted and torn down in one order
export {
  DeviceRuntime,
  type DeviceRuntimeParts,
  type DeviceParts,
  type RuntimeLinkOptions,
  type StartOptions as DeviceRuntimeStartOptions,
  type StopOptions as DeviceRuntimeStopOptions,
} from './tools/runtime/device-runtime.js';
export { startSimulatedDevice, type SimulatedDevice, type SimulatedDeviceOptions } from './tools/fleet/simulated-device.js';
// The device-in-the-loop harness for jest (docs/harness.md)
export * from './tools/harness/index.js';
