export * from './types.js';
export { toMono } from './channel-policy.js';
export { FrameSlicer } from './frame-slicer.js';
export { Resampler, type ResamplerOptions } from './resample.js';
export { probeWav, formatName, type WavHeader } from './wav-header.js';
export { WavSource, type WavSourceOptions } from './wav-source.js';
export { writeWav16, writeWavBytes, type WavFormat } from './wav-writer.js';
export { StdinSource, STDIN_HINT, type StdinSourceOptions } from './stdin-source.js';
export { AlsaSource, arecordArgs, type AlsaSourceOptions } from './alsa-source.js';
export {
  SyntheticSource,
  DEFAULT_NOISE_FLOOR_DBFS,
  dbfsToRms,
  type SyntheticKind,
  type SyntheticSourceOptions,
} from './synthetic-source.js';
export { parseMicSpec, openMic, MIC_SPEC_FORMS, type MicSpec, type MicSourceOptions } from './open.js';
export { concatSamples } from './samples.js';
export { spatialize, TalkerFilter, type TalkerOptions, type MicPoint } from './talker.js';
export { SpatialSource, type SpatialSourceOptions } from './spatial-source.js';
export { MicPowerSwitch, type MicPowerOrigin } from './mic-power.js';
