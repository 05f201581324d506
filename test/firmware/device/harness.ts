import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Device } from '../../../firmware/device/device.js';
import { runDevice, type RunSummary } from '../../../firmware/device/runner.js';
import type { DeviceEvents, DeviceOptions } from '../../../firmware/device/types.js';
import { deviceModel, type DeviceModel } from '../../../firmware/device-model.js';
import { ScriptedButtons } from '../../../hal/buttons/scripted.js';
import { VirtualClock } from '../../../core/clock.js';
import type { LedFrame, LedRenderer } from '../../../hal/leds/types.js';
import { spatialize } from '../../../hal/mic/talker.js';
import type { MicFrame, MicSource } from '../../../hal/mic/types.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { SileroVad, SileroVadModel } from '../../../models/vad/silero-vad.js';
import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { readWav16kMono } from '../../models/reference/wav.js';

export const DEMO = path.resolve('test/fixtures/demo/alexa-demo.wav');
/** The demo's wake word: 1.50-2.03 s (labels.tsv); the spotter fires at 2.0 s, the stream ends at ~4.36 s. */
export const demoAudio = (): Int16Array => readWav16kMono(readFileSync(DEMO));

/** Interleaved audio from memory, in 80 ms frames: a microphone array that plays a recording. */
export class ArraySource implements MicSource {
  readonly info;
  private closed = false;
  constructor(
    private readonly samples: Int16Array,
    readonly channels: number,
    private readonly frameSamples = 1280,
  ) {
    this.info = { description: 'memory', channels, sampleRate: SAMPLE_RATE } as const;
  }
  async *frames(): AsyncIterable<MicFrame> {
    const total = this.samples.length / this.channels;
    for (let i = 0; i < total && !this.closed; i += this.frameSamples) {
      const n = Math.min(this.frameSamples, total - i);
      yield { index: i, channels: this.channels, samples: this.samples.slice(i * this.channels, (i + n) * this.channels) };
    }
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Mono speech followed by `tailSeconds` of low noise (a quiet room), optionally with leading quiet too. */
export function withQuiet(mono: Int16Array, leadSeconds: number, tailSeconds: number): Int16Array {
  const lead = Math.round(leadSeconds * SAMPLE_RATE);
  const out = new Int16Array(lead + mono.length + Math.round(tailSeconds * SAMPLE_RATE));
  let s = 12345;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out[i] = ((s >> 16) % 61) - 30;
  }
  for (let i = 0; i < mono.length; i++) out[lead + i] = mono[i]! + out[lead + i]!;
  return out;
}

class FrameLog implements LedRenderer {
  frames: LedFrame[] = [];
  async render(frame: LedFrame): Promise<void> {
    this.frames.push(frame);
  }
  async close(): Promise<void> {}
  /** The frame showing at time t (ms). */
  at(t: number): LedFrame | undefined {
    let best: LedFrame | undefined;
    for (const f of this.frames) if (f.at <= t) best = f;
    return best;
  }
}

export type Recorded = { [K in keyof DeviceEvents]: { type: K; payload: DeviceEvents[K][0] } }[keyof DeviceEvents];

let shared: { models: OpenWakeWordModels; vad: SileroVadModel } | undefined;
export async function sharedModels(): Promise<{ models: OpenWakeWordModels; vad: SileroVadModel }> {
  shared ??= { models: await OpenWakeWordModels.load({ keywords: ['alexa'] }), vad: await SileroVadModel.load() };
  return shared;
}
export async function disposeSharedModels(): Promise<void> {
  await shared?.models.dispose();
  await shared?.vad.dispose();
  shared = undefined;
}

export interface TestDevice {
  device: Device;
  clock: VirtualClock;
  model: DeviceModel;
  leds: FrameLog;
  events: Recorded[];
  dataDir: string;
  of<K extends keyof DeviceEvents>(type: K): Array<DeviceEvents[K][0]>;
  states(): string[];
  run(source: MicSource, script?: string): Promise<RunSummary>;
  restart(): Promise<TestDevice>;
  close(): Promise<void>;
}

const EVENT_TYPES: Array<keyof DeviceEvents> = [
  'state', 'detection', 'stream-start', 'stream-end', 'button', 'direction', 'microphones', 'volume', 'sound', 'notification', 'false-wake', 'refused', 'warning',
  'wake-word',
];

/** A booted device on a virtual clock with the real spotter and VAD, recording every event. */
export async function bootDevice(
  options: Partial<DeviceOptions> & { modelId?: string; dataDir?: string; ownsDataDir?: boolean } = {},
): Promise<TestDevice> {
  const { models, vad } = await sharedModels();
  const ownsDataDir = options.ownsDataDir ?? options.dataDir === undefined;
  const model = deviceModel(options.modelId ?? 'echo-dot-3');
  const clock = new VirtualClock();
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'echosim-device-'));
  const leds = new FrameLog();
  const device = new Device({
    model,
    clock,
    dataDir,
    engine: new OpenWakeWordEngine(models),
    vad: new SileroVad(vad),
    offline: true,
    ...options,
    leds: [leds, ...(options.leds ?? [])],
  });
  const events: Recorded[] = [];
  for (const type of EVENT_TYPES) device.on(type, ((payload: never) => events.push({ type, payload } as Recorded)) as never);
  await device.boot();
  const td: TestDevice = {
    device,
    clock,
    model,
    leds,
    events,
    dataDir,
    of: <K extends keyof DeviceEvents>(type: K) => events.filter((e) => e.type === type).map((e) => e.payload as DeviceEvents[K][0]),
    states: () => events.filter((e) => e.type === 'state').map((e) => (e.payload as DeviceEvents['state'][0]).to),
    async run(source: MicSource, script?: string) {
      const buttons = script ? ScriptedButtons.fromScript(script, model.buttons, clock) : undefined;
      buttons?.start((e) => device.buttonEdge(e));
      try {
        return await runDevice(device, source, { clock, busy: () => (buttons?.remaining ?? 0) > 0 });
      } finally {
        await buttons?.close();
      }
    },
    async restart() {
      await device.stop();
      // The same flash; one this helper made goes with the last device booted on it.
      return bootDevice({ ...options, dataDir, ownsDataDir });
    },
    async close() {
      await device.stop();
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return td;
}

/** The demo utterance spoken from `azimuthDeg` around the model's array, in a quiet room. */
export function demoFrom(model: DeviceModel, azimuthDeg: number, tailSeconds = 0.5): ArraySource {
  const mono = withQuiet(demoAudio(), 0, tailSeconds);
  return new ArraySource(spatialize(mono, model.micPositions, azimuthDeg, { noiseRms: 20, seed: 7 }), model.micPositions.length);
}

export const hex = (c: { r: number; g: number; b: number }): string =>
  `#${[c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
