/**
 * The device's side of the cloud link, with a scripted cloud (the real MQTT link and cloud are tested
 * in test/cloud-link): what the device streams, and how it reacts to answers, rejections and outages.
 */
import { EventEmitter } from 'node:events';
import type { DeviceLink, DeviceLinkEvents } from '../../../firmware/device/link.js';
import type { StreamAudio, StreamEnd, StreamStart } from '../../../cloud-link/protocol/stream.js';
import { spatialize } from '../../../hal/mic/talker.js';
import { ArraySource, bootDevice, demoAudio, demoFrom, disposeSharedModels, withQuiet, type TestDevice } from './harness.js';

afterAll(disposeSharedModels);

class ScriptedCloud extends EventEmitter<DeviceLinkEvents> implements DeviceLink {
  connected = true;
  starts: StreamStart[] = [];
  audio: StreamAudio[] = [];
  ends: StreamEnd[] = [];
  onStart: ((s: StreamStart) => void) | undefined;
  onEnd: ((e: StreamEnd) => void) | undefined;
  utteranceStart(s: StreamStart): void {
    this.starts.push(s);
    this.onStart?.(s);
  }
  utteranceAudio(a: StreamAudio): void {
    this.audio.push(a);
  }
  utteranceEnd(e: StreamEnd): void {
    this.ends.push(e);
    this.onEnd?.(e);
  }
}

describe('device and cloud link', () => {
  let td: TestDevice;
  afterEach(async () => td.close());

  test('the utterance streams with its pre-roll; an answer is spoken, then the device is idle', async () => {
    const cloud = new ScriptedCloud();
    const answer = new Int16Array(16_000).fill(1000); // 1 s
    cloud.onEnd = (e) => setImmediate(() => cloud.emit('utterance-response', { id: e.id, audio: answer }));
    td = await bootDevice({ offline: false, link: cloud });
    await td.run(demoFrom(td.model, 0));
    expect(td.states()).toEqual(['CONNECTING', 'IDLE', 'LISTENING', 'THINKING', 'SPEAKING', 'IDLE']);
    const [start] = cloud.starts;
    expect(start!.wakeWordIndices).toMatchObject({ startIndexInSamples: 8000 });
    // Contiguous audio from 500 ms before the wake word to the end of the stream.
    let next = start!.startIndex;
    for (const a of cloud.audio) {
      expect(a.index).toBe(next);
      next += a.samples.length;
    }
    expect(next).toBe(cloud.ends[0]!.endIndex);
    const speaking = td.of('state').find((s) => s.to === 'SPEAKING')!;
    const done = td.of('state').at(-1)!;
    expect(done.at - speaking.at).toBe(1000);
  });

  test('cloud verification rejecting the wake word stops capture at once and counts a false wake', async () => {
    const cloud = new ScriptedCloud();
    cloud.onStart = (s) => setImmediate(() => cloud.emit('utterance-rejected', { id: s.id, reason: 'not confirmed at 0.8' }));
    td = await bootDevice({ offline: false, link: cloud });
    await td.run(demoFrom(td.model, 0));
    expect(td.states()).toEqual(['CONNECTING', 'IDLE', 'LISTENING', 'IDLE']);
    expect(td.of('false-wake')).toEqual([expect.objectContaining({ reason: 'not confirmed at 0.8' })]);
    expect(td.device.falseWakes).toBe(1);
    expect(cloud.ends).toEqual([expect.objectContaining({ reason: 'cancelled' })]);
    // Capture stopped within one frame of the rejection.
    const rejectedAt = td.of('false-wake')[0]!.at;
    expect(cloud.ends[0]!.endIndex).toBeLessThanOrEqual((rejectedAt / 1000) * 16_000 + 1280);
  });

  test('a lost link ends the request and the device reconnects', async () => {
    const cloud = new ScriptedCloud();
    cloud.onStart = () =>
      setImmediate(() => {
        cloud.connected = false;
        cloud.emit('down', 'broker went away');
        setImmediate(() => {
          cloud.connected = true;
          cloud.emit('up');
        });
      });
    td = await bootDevice({ offline: false, link: cloud });
    await td.run(demoFrom(td.model, 0));
    expect(td.states()).toEqual(['CONNECTING', 'IDLE', 'LISTENING', 'CONNECTING', 'IDLE']);
    expect(td.of('state')[3]).toMatchObject({ input: 'LINK_DOWN', detail: 'broker went away' });
    expect(cloud.ends).toEqual([expect.objectContaining({ reason: 'cancelled' })]);
  });

  test('a link lost while THINKING plays the error tone, and once it is back the next request is answered', async () => {
    const cloud = new ScriptedCloud();
    const answer = new Int16Array(8_000).fill(1000);
    let requests = 0;
    cloud.onEnd = (e) =>
      setImmediate(() => {
        if (++requests > 1) return void cloud.emit('utterance-response', { id: e.id, audio: answer });
        // the first request: the link drops before the answer, comes back, and the stale answer arrives late
        cloud.connected = false;
        cloud.emit('down', 'wifi lost');
        setImmediate(() => {
          cloud.connected = true;
          cloud.emit('up');
          cloud.emit('utterance-response', { id: e.id, audio: answer });
        });
      });
    td = await bootDevice({ offline: false, link: cloud });
    // "Alexa, ..." twice, 1 s apart
    const twice = Int16Array.from([...withQuiet(demoAudio(), 0, 1), ...withQuiet(demoAudio(), 0, 0.5)]);
    await td.run(new ArraySource(spatialize(twice, td.model.micPositions, 0, { noiseRms: 20, seed: 7 }), td.model.micPositions.length));
    expect(td.states()).toEqual(['CONNECTING', 'IDLE', 'LISTENING', 'THINKING', 'CONNECTING', 'IDLE', 'LISTENING', 'THINKING', 'SPEAKING', 'IDLE']);
    expect(td.of('state')[4]).toMatchObject({ from: 'THINKING', input: 'LINK_DOWN', detail: 'wifi lost' });
    const sounds = td.of('sound').map((x) => x.label);
    expect(sounds.filter((l) => l === 'error')).toHaveLength(1);
    expect(sounds.filter((l) => l === 'response')).toHaveLength(1); // the lost request's late answer is not played
    const errorAt = td.of('sound').find((x) => x.label === 'error')!.at;
    expect(errorAt).toBe(td.of('state')[4]!.at);
    expect(cloud.starts).toHaveLength(2);
  });

  test('without a cloud and not offline, the device waits in setup (orange)', async () => {
    td = await bootDevice({ offline: false });
    expect(td.device.state).toBe('SETUP');
  });
});
