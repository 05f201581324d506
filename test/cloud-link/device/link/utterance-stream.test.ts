/**
 * Utterances over the real link: the demo recording spoken to a real Device (spotter, VAD), streamed
 * to a cloud that answers with the protocol's verdict and response messages. Plus the chunking and
 * "nothing sent while offline" rules on UtteranceStream itself, with the bytes it hands the transport.
 */
import type { MosquittoUser } from '../../../../cloud-link/broker/mosquitto-config.js';
import { UtteranceStream } from '../../../../cloud-link/device/link/utterance-stream.js';
import { decodeAudioChunk, MAX_CHUNK_SAMPLES } from '../../../../cloud-link/protocol/audio-chunk.js';
import { deviceTopics } from '../../../../cloud-link/protocol/topics.js';
import { encodeResponseAudio, UtteranceEndSchema, type UtteranceEnd, type UtteranceStart } from '../../../../cloud-link/protocol/utterance.js';
import { MAX_UTTERANCE_SAMPLES } from '../../../../cloud-link/protocol/utterance-limits.js';
import { runDevice } from '../../../../firmware/device/runner.js';
import { createLogger } from '../../../../core/log.js';
import { startTestBroker, waitUntil, type TestBroker } from '../../../support/mosquitto.js';
import { demoFrom, disposeSharedModels } from '../../../firmware/device/harness.js';
import { GatedSource } from './gated-source.js';
import { linkedDevice, removeDir, secretOf, type LinkedDevice } from './linked-device.js';
import { CLOUD_PASSWORD, ProtocolCloud } from './protocol-cloud.js';

const DEVICES = ['utt-1', 'utt-2'];
const USERS: MosquittoUser[] = [
  ...DEVICES.map((id) => ({ username: id, password: secretOf(id), role: 'device' as const })),
  { username: 'echosim-cloud', password: CLOUD_PASSWORD, role: 'cloud' },
];

describe('utterances over a real broker', () => {
  let broker: TestBroker;
  let cloud: ProtocolCloud;
  let d: LinkedDevice | undefined;

  beforeAll(async () => {
    broker = await startTestBroker('embedded', USERS);
    cloud = await ProtocolCloud.connect(broker.url);
  });
  afterEach(async () => {
    cloud.onMessage = undefined;
    if (d) {
      await d.stop();
      removeDir(d.dataDir);
    }
    d = undefined;
  });
  afterAll(async () => {
    await cloud.close();
    await broker.stop();
    await disposeSharedModels();
  });

  test('a verdict with confirmed=false stops capture at once: back to IDLE, a false wake counted and reported', async () => {
    d = await linkedDevice({ url: broker.url, deviceId: 'utt-1' });
    const dev = d;
    await dev.link.whenSynced();
    cloud.onMessage = (m) => {
      if (m.kind === 'utterance/start' && m.utteranceId !== undefined) {
        void cloud.publish('utterance/verdict', 'utt-1', { id: m.utteranceId, confirmed: false, score: 0.12, threshold: 0.5, reason: 'not the wake word' }, { utteranceId: m.utteranceId });
      }
    };
    // Hold the audio once the device is listening until the verdict has come back.
    const source = new GatedSource(demoFrom(dev.td.model, 0, 1), async () => {
      if (dev.device.state === 'LISTENING') await waitUntil(() => dev.of('utterance-rejected').length > 0, 'the verdict');
    });
    await runDevice(dev.device, source, { clock: dev.clock });

    expect(dev.td.states()).toEqual(['CONNECTING', 'IDLE', 'LISTENING', 'IDLE']);
    expect(dev.td.of('state').at(-1)).toMatchObject({ from: 'LISTENING', to: 'IDLE', input: 'FALSE_WAKE', detail: 'not the wake word' });
    expect(dev.device.falseWakes).toBe(1);
    expect(dev.td.of('false-wake')).toEqual([expect.objectContaining({ id: 1, reason: 'not the wake word' })]);

    await cloud.until(() => cloud.bodies('utterance/end', 'utt-1').length === 1, 'the end of the cancelled stream');
    const [start] = cloud.bodies<UtteranceStart>('utterance/start', 'utt-1');
    expect(start).toMatchObject({ id: 1, initiator: 'wakeword', keyword: 'alexa', wakeWordIndices: { startIndexInSamples: 8000 }, sampleRate: 16000, format: 'L16' });
    expect(start?.score).toBeGreaterThan(0.5);
    const [end] = cloud.bodies<UtteranceEnd>('utterance/end', 'utt-1');
    const chunks = cloud.received.filter((m) => m.kind === 'utterance/audio' && m.deviceId === 'utt-1').map((m) => decodeAudioChunk(m.payload));
    expect(end).toMatchObject({ id: 1, reason: 'cancelled', chunks: chunks.length, samples: chunks.reduce((n, c) => n + c.samples.length, 0) });

    // Telemetry: the wake, settled as not confirmed, and the false wake, both with the cloud's score.
    await dev.until(() => cloud.bodies('telemetry/false-wake', 'utt-1').length === 1 && cloud.bodies('telemetry/wake', 'utt-1').length === 1, 'telemetry');
    expect(cloud.bodies('telemetry/wake', 'utt-1')[0]).toMatchObject({ utteranceId: 1, keyword: 'alexa', confirmed: false, cloudScore: 0.12 });
    expect(cloud.bodies('telemetry/false-wake', 'utt-1')[0]).toMatchObject({ utteranceId: 1, reason: 'not the wake word', cloudScore: 0.12, keyword: 'alexa' });
    expect(cloud.invalid).toEqual([]);
  });

  test('start, contiguous chunks and an exact end go out; the answer comes back and is spoken', async () => {
    d = await linkedDevice({ url: broker.url, deviceId: 'utt-2' });
    const dev = d;
    await dev.link.whenSynced();
    const answer = new Int16Array(8000).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)));
    cloud.onMessage = (m) => {
      if (m.kind === 'utterance/start' && m.utteranceId !== undefined) {
        void cloud.publish('utterance/verdict', 'utt-2', { id: m.utteranceId, confirmed: true, score: 0.93, threshold: 0.5 }, { utteranceId: m.utteranceId });
      }
      if (m.kind === 'utterance/end' && m.utteranceId !== undefined) {
        void cloud.publish('utterance/response', 'utt-2', { id: m.utteranceId, audio: encodeResponseAudio(answer), sampleRate: 16000 }, { utteranceId: m.utteranceId });
      }
    };
    const source = new GatedSource(demoFrom(dev.td.model, 0, 2), async () => {
      if (dev.device.state === 'THINKING') await waitUntil(() => dev.of('utterance-response').length > 0, 'the answer');
    });
    await runDevice(dev.device, source, { clock: dev.clock });

    expect(dev.td.states()).toEqual(['CONNECTING', 'IDLE', 'LISTENING', 'THINKING', 'SPEAKING', 'IDLE']);
    expect(dev.of('utterance-response')[0]?.audio).toEqual(answer);
    const speaking = dev.td.of('state').find((s) => s.to === 'SPEAKING');
    expect(dev.td.of('state').at(-1)!.at - speaking!.at).toBe(500);

    const [start] = cloud.bodies<UtteranceStart>('utterance/start', 'utt-2');
    const streamStart = dev.td.of('stream-start')[0]!;
    const streamEnd = dev.td.of('stream-end')[0]!;
    const chunks = cloud.received.filter((m) => m.kind === 'utterance/audio' && m.deviceId === 'utt-2').map((m) => decodeAudioChunk(m.payload));
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    let offset = 0;
    for (const c of chunks) {
      expect(c.offset).toBe(offset);
      offset += c.samples.length;
    }
    expect(offset).toBe(streamEnd.endIndex - streamStart.startIndex);
    expect(start).toMatchObject({ id: streamStart.id, preRoll: { complete: true } });
    const [end] = cloud.bodies<UtteranceEnd>('utterance/end', 'utt-2');
    expect(end).toEqual({ id: streamStart.id, endIndex: streamEnd.endIndex, reason: 'end-of-speech', samples: offset, chunks: chunks.length });
    await dev.until(() => cloud.bodies('telemetry/wake', 'utt-2').length === 1, 'the wake telemetry');
    expect(cloud.bodies('telemetry/wake', 'utt-2')[0]).toMatchObject({ confirmed: true, cloudScore: 0.93 });
    expect(cloud.invalid).toEqual([]);
  });
});

describe('UtteranceStream', () => {
  const topics = deviceTopics('utt-x');
  /** The network end of the link: records what it is given, as bytes. */
  const transport = (connected: boolean, loseChunk: (n: number) => boolean = () => false) => {
    const sent: Array<{ topic: string; payload: Buffer; qos: number | undefined }> = [];
    let chunk = 0;
    return {
      sent,
      connected,
      publish(topic: string, payload: string | Buffer, options?: { qos?: 0 | 1 }): Promise<void> {
        const lost = options?.qos === 0 && loseChunk(chunk++);
        if (!this.connected || lost) return Promise.reject(new Error('not connected'));
        sent.push({ topic, payload: Buffer.from(payload), qos: options?.qos });
        return Promise.resolve();
      },
    };
  };
  const start = { id: 3, initiator: 'tap' as const, startIndex: 1000, preRoll: { requestedSamples: 0, availableSamples: 0, complete: true } };
  const log = createLogger('test', 'silent');

  test('regroups blocks of any size into 80 ms chunks with their sequence and offset, and counts exactly what left', async () => {
    const t = transport(true);
    const u = new UtteranceStream({ transport: t, topics, log });
    u.start(start);
    // Blocks as the front end hands them over: larger, smaller and not aligned to 80 ms.
    const block = new Int16Array(2 * MAX_CHUNK_SAMPLES + 500).map((_, i) => i % 3000);
    u.audio({ id: 3, index: 1000, samples: block });
    u.audio({ id: 3, index: 1000 + block.length, samples: new Int16Array(512).fill(-7) });
    u.audio({ id: 3, index: 1000 + block.length + 512, samples: new Int16Array(100).fill(5) });
    const total = block.length + 612;
    u.end({ id: 3, endIndex: 1000 + total, reason: 'end-of-speech' });
    await waitUntil(() => t.sent.some((s) => s.topic === topics.utteranceEnd(3)), 'the end');
    const audio = t.sent.filter((s) => s.topic === topics.utteranceAudio(3));
    expect(audio.map((s) => s.qos)).toEqual([0, 0, 0]);
    const decoded = audio.map((s) => decodeAudioChunk(s.payload));
    expect(MAX_CHUNK_SAMPLES).toBe(1280);
    expect(decoded.map((c) => [c.seq, c.offset, c.samples.length])).toEqual([
      [0, 0, 1280],
      [1, 1280, 1280],
      [2, 2560, total - 2560], // the last chunk, sent with the end: 500 + 512 + 100 samples
    ]);
    expect(Array.from(decoded[1]!.samples.slice(0, 3))).toEqual([block[1280], block[1281], block[1282]]);
    expect(Array.from(decoded[2]!.samples.slice(499, 502))).toEqual([block[2559 + 500], -7, -7]);
    expect(decoded[2]!.samples.at(-1)).toBe(5);
    expect(JSON.parse(t.sent.at(-1)!.payload.toString())).toEqual({ id: 3, endIndex: 1000 + total, reason: 'end-of-speech', samples: total, chunks: 3 });
  });

  test('never streams past the protocol bound: a longer stream sends its first 8.5 s, every chunk within the bounds', async () => {
    const t = transport(true);
    const u = new UtteranceStream({ transport: t, topics, log });
    u.start(start);
    const second = new Int16Array(16_000).fill(3);
    for (let k = 0; k < 10; k++) u.audio({ id: 3, index: 1000 + k * 16_000, samples: second });
    u.end({ id: 3, endIndex: 1000 + 160_000, reason: 'max-length' });
    await waitUntil(() => t.sent.some((s) => s.topic === topics.utteranceEnd(3)), 'the end');
    const decoded = t.sent.filter((s) => s.topic === topics.utteranceAudio(3)).map((s) => decodeAudioChunk(s.payload)); // decoding checks the bounds
    expect(decoded).toHaveLength(Math.ceil(MAX_UTTERANCE_SAMPLES / 1280));
    expect(decoded.reduce((n, c) => n + c.samples.length, 0)).toBe(MAX_UTTERANCE_SAMPLES);
    const end = UtteranceEndSchema.parse(JSON.parse(t.sent.at(-1)!.payload.toString()));
    expect(end).toMatchObject({ samples: MAX_UTTERANCE_SAMPLES, chunks: decoded.length });
  });

  test('a refusal that dropped the utterance stops its audio; one that did not is only reported', async () => {
    const t = transport(true);
    const u = new UtteranceStream({ transport: t, topics, log });
    const refused: unknown[] = [];
    u.on('refused', (r) => refused.push(r));
    u.start(start);
    u.audio({ id: 3, index: 1000, samples: new Int16Array(1280) });
    u.onRejected(3, Buffer.from(JSON.stringify({ id: 3, code: 400, message: 'seq 999 is beyond the 111 chunks an utterance may have', refused: 'audio', seq: 999, dropped: false })));
    u.audio({ id: 3, index: 2280, samples: new Int16Array(1280) });
    u.onRejected(3, Buffer.from(JSON.stringify({ id: 3, code: 429, message: 'more than 4 utterances open at once', refused: 'start', dropped: true })));
    u.audio({ id: 3, index: 3560, samples: new Int16Array(1280) });
    u.end({ id: 3, endIndex: 4840, reason: 'end-of-speech' });
    await waitUntil(() => t.sent.some((s) => s.topic === topics.utteranceEnd(3)), 'the end');
    expect(t.sent.filter((s) => s.topic === topics.utteranceAudio(3))).toHaveLength(2);
    expect(refused).toEqual([expect.objectContaining({ code: 400, dropped: false }), expect.objectContaining({ code: 429, dropped: true })]);
    u.onRejected(3, Buffer.from(JSON.stringify({ id: 4, code: 400, message: 'x', refused: 'end', dropped: true })));
    expect(refused).toHaveLength(2); // the id differs from the topic's: malformed, not a refusal
  });

  test('sends nothing for an utterance that starts offline; lost chunks keep their sequence numbers but are not counted', async () => {
    const offline = transport(false);
    const u = new UtteranceStream({ transport: offline, topics, log });
    u.start(start);
    u.audio({ id: 3, index: 1000, samples: new Int16Array(1280) });
    offline.connected = true; // back mid-utterance: still nothing for this one
    u.audio({ id: 3, index: 2280, samples: new Int16Array(1280) });
    u.end({ id: 3, endIndex: 3560, reason: 'end-of-speech' });
    await new Promise((r) => setImmediate(r));
    expect(offline.sent).toEqual([]);

    const lossy = transport(true, (n) => n === 0); // the first chunk is lost (the link blinked)
    const v = new UtteranceStream({ transport: lossy, topics, log });
    v.start({ ...start, id: 4 });
    v.audio({ id: 4, index: 1000, samples: new Int16Array(1280) });
    v.audio({ id: 4, index: 2280, samples: new Int16Array(640) });
    v.end({ id: 4, endIndex: 2920, reason: 'cancelled' });
    await waitUntil(() => lossy.sent.length === 3, 'start, one chunk and end');
    expect(decodeAudioChunk(lossy.sent[1]!.payload)).toMatchObject({ seq: 1, offset: 1280 });
    expect(JSON.parse(lossy.sent[2]!.payload.toString())).toMatchObject({ samples: 640, chunks: 1 });
  });
});
