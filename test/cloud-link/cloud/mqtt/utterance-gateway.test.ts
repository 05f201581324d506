/**
 * The cloud's utterance side against a device played by a raw MQTT client on the embedded broker:
 * the messages that used to take the cloud down (an end claiming 2^53-1 chunks, a chunk numbered
 * 0xFFFFFFFF) are answered with a refusal the device sees on utterance/{n}/rejected; the caps on
 * open utterances and audio per device; stale utterances expiring on the cloud's clock; refusals
 * rate-limited; and one verdict per utterance, however the end races the deciding chunk.
 */
import { encodeAudioChunk } from '../../../../cloud-link/protocol/audio-chunk.js';
import { MAX_UTTERANCE_CHUNKS, MAX_UTTERANCE_SAMPLES, REFUSAL_BURST } from '../../../../cloud-link/protocol/utterance-limits.js';
import { UtteranceRejectedSchema } from '../../../../cloud-link/protocol/utterance.js';
import { WakeWordVerifier } from '../../../../cloud-link/cloud/verification/verifier.js';
import { disposeSharedModels, sharedModels } from '../../../firmware/device/harness.js';
import { loadFixtures } from '../../../models/wakeword/fixtures.js';
import { labelledStream } from '../verification/streams.js';
import { rawDevice, startTestCloud, type RawDevice, type TestCloud } from '../cloud-fixture.js';
import { waitUntil } from '../../../support/mosquitto.js';

const TAP_START = (id: number) => ({ id, initiator: 'tap', preRoll: { requestedSamples: 0, availableSamples: 0, complete: true }, sampleRate: 16000, format: 'L16' });
const tone = new Int16Array(1280).map((_, i) => Math.round(1000 * Math.sin(i / 5)));

let t: TestCloud;
let a: RawDevice;
afterEach(async () => {
  await a?.raw.end(true);
  await t.stop();
});
afterAll(async () => {
  await disposeSharedModels();
});

async function start(options: Parameters<typeof startTestCloud>[0] = {}): Promise<void> {
  t = await startTestCloud(options);
  a = await rawDevice(t.cloud.brokerUrl, 'dev-u', await t.register('dev-u'));
}

/** The refusals the device received for utterance `n`, validated against the protocol's schema. */
const rejections = (n: number) => a.json(a.topics.utteranceRejected(n)).map((r) => UtteranceRejectedSchema.parse(r));
const gateway = () => t.cloud.utteranceGateway!;

describe('the messages that crashed the cloud are refused', () => {
  beforeEach(() => start());

  test('an end claiming 2^53-1 chunks is refused (400, dropped); the cloud holds nothing and serves the next utterance', async () => {
    await a.publish(a.topics.utteranceStart(1), TAP_START(1));
    await a.publish(a.topics.utteranceAudio(1), encodeAudioChunk({ seq: 0, offset: 0, samples: tone }), { qos: 0 });
    await a.publish(a.topics.utteranceEnd(1), { id: 1, endIndex: 1280, reason: 'end-of-speech', samples: 1280, chunks: Number.MAX_SAFE_INTEGER });
    const refusal = await a.next(a.topics.utteranceRejected(1), 0);
    expect(UtteranceRejectedSchema.parse(refusal)).toMatchObject({ id: 1, code: 400, refused: 'end', dropped: true, message: expect.stringContaining('chunks') });
    expect(await t.waitFor('utterance', (p) => p.utteranceId === 1)).toMatchObject({ dropped: true, confirmed: null });
    expect(a.json(a.topics.utteranceResponse(1))).toEqual([]);
    expect(gateway().openCount).toBe(0);
    expect(gateway().heldBytes()).toBe(0);

    // The same with samples beyond the bound, and the cloud still answers a good utterance.
    await a.publish(a.topics.utteranceStart(2), TAP_START(2));
    await a.publish(a.topics.utteranceEnd(2), { id: 2, endIndex: 1280, reason: 'end-of-speech', samples: MAX_UTTERANCE_SAMPLES + 1, chunks: MAX_UTTERANCE_CHUNKS });
    expect(await a.next(a.topics.utteranceRejected(2), 0)).toMatchObject({ code: 400, refused: 'end', message: expect.stringContaining('samples') });
    await a.publish(a.topics.utteranceStart(3), TAP_START(3));
    await a.publish(a.topics.utteranceAudio(3), encodeAudioChunk({ seq: 0, offset: 0, samples: tone }), { qos: 0 });
    await a.publish(a.topics.utteranceEnd(3), { id: 3, endIndex: 1280, reason: 'end-of-speech', samples: 1280, chunks: 1 });
    expect(await a.next(a.topics.utteranceResponse(3), 0)).toEqual({ id: 3 });
    expect(rejections(3)).toEqual([]);
  });

  test('a chunk numbered 0xFFFFFFFF, then silence, is refused (400, its seq named); the utterance expires on the clock', async () => {
    await a.publish(a.topics.utteranceStart(4), TAP_START(4));
    await a.publish(a.topics.utteranceAudio(4), encodeAudioChunk({ seq: 0, offset: 0, samples: tone }), { qos: 0 });
    await a.publish(a.topics.utteranceAudio(4), encodeAudioChunk({ seq: 0xffff_ffff, offset: 1280, samples: tone }), { qos: 0 });
    const refusal = UtteranceRejectedSchema.parse(await a.next(a.topics.utteranceRejected(4), 0));
    expect(refusal).toMatchObject({ id: 4, code: 400, refused: 'audio', seq: 0xffff_ffff, dropped: false, message: expect.stringContaining(`${MAX_UTTERANCE_CHUNKS} chunks`) });
    expect(gateway().heldBytes('dev-u')).toBe(tone.byteLength); // the first chunk only
    // Silence: no end ever comes. The cloud closes it once it has been idle long enough.
    await t.clock.advance(gateway().caps.idleTimeoutMs);
    expect(await t.waitFor('utterance', (p) => p.utteranceId === 4)).toMatchObject({ samples: 1280, missingChunks: 0 });
    expect(gateway().openCount).toBe(0);
    // Nothing else reached the device: no verdict, no response for an utterance that went stale.
    expect(a.json(a.topics.utteranceVerdict(4))).toEqual([]);
    expect(a.json(a.topics.utteranceResponse(4))).toEqual([]);
  });

  test('every other number beyond the bounds is refused too, each naming its rule', async () => {
    const wake = (id: number, over: Record<string, unknown>) => ({
      ...TAP_START(id), initiator: 'wakeword', keyword: 'alexa', wakeWordIndices: { startIndexInSamples: 8000, endIndexInSamples: 15000 }, ...over,
    });
    await a.publish(a.topics.utteranceStart(10), wake(10, { wakeWordIndices: { startIndexInSamples: 8000, endIndexInSamples: 2 ** 40 } }));
    await a.publish(a.topics.utteranceStart(11), wake(11, { preRoll: { requestedSamples: 8000, availableSamples: 1e300, complete: true } }));
    await a.publish(a.topics.utteranceStart(12), '{"id":12,"initiator":"tap","preRoll":{"requestedSamples":NaN}}');
    await a.publish(a.topics.utteranceStart(13), TAP_START(13));
    await a.publish(a.topics.utteranceAudio(13), encodeAudioChunk({ seq: 2, offset: 4000, samples: tone }), { qos: 0 }); // past where chunk 2 can begin
    await a.publish(a.topics.utteranceAudio(13), encodeAudioChunk({ seq: MAX_UTTERANCE_CHUNKS - 1, offset: MAX_UTTERANCE_SAMPLES - 100, samples: tone }), { qos: 0 });
    await a.publish(a.topics.utteranceAudio(13), Buffer.concat([encodeAudioChunk({ seq: 1, offset: 1280, samples: tone }), Buffer.alloc(2)]), { qos: 0 }); // 1281 samples
    await a.publish(a.topics.utteranceEnd(13), { id: 13, endIndex: 0, reason: 'end-of-speech', samples: 1281, chunks: 1 });
    await waitUntil(() => rejections(13).length === 4 && [10, 11, 12].every((n) => rejections(n).length === 1), 'every refusal');
    expect(rejections(10)[0]).toMatchObject({ code: 400, refused: 'start', dropped: true, message: expect.stringContaining('wakeWordIndices.endIndexInSamples') });
    expect(rejections(11)[0]).toMatchObject({ code: 400, message: expect.stringContaining('preRoll.availableSamples') });
    expect(rejections(12)[0]).toMatchObject({ code: 400, message: expect.stringContaining('Invalid JSON') });
    expect(rejections(13).map((r) => [r.refused, r.seq, r.dropped])).toEqual([
      ['audio', 2, false],
      ['audio', MAX_UTTERANCE_CHUNKS - 1, false],
      ['audio', 1, false],
      ['end', undefined, true],
    ]);
    expect(rejections(13)[0]!.message).toContain('beyond where chunk 2 can begin');
    expect(rejections(13)[1]!.message).toContain(`run past the ${MAX_UTTERANCE_SAMPLES}`);
    expect(rejections(13)[2]!.message).toContain('at most 1280 per chunk');
    expect(rejections(13)[3]!.message).toContain('more than 1280 per chunk');
    await waitUntil(() => gateway().openCount === 0, 'everything closed');
  });
});

describe('caps per device', () => {
  beforeEach(() => start());

  test('a fifth open utterance is refused (429, dropped); the audio budget refuses chunks past two full utterances', async () => {
    const g = gateway();
    const { maxOpenPerDevice, maxDeviceBytes } = g.caps;
    for (let n = 0; n <= maxOpenPerDevice; n++) await g.onStart('dev-u', n, Buffer.from(JSON.stringify(TAP_START(n))));
    expect(g.openCount).toBe(maxOpenPerDevice);
    await waitUntil(() => rejections(maxOpenPerDevice).length === 1, 'the refusal');
    expect(rejections(maxOpenPerDevice)[0]).toMatchObject({ code: 429, refused: 'start', dropped: true, message: expect.stringContaining(`more than ${maxOpenPerDevice} utterances open`) });

    // Fill utterances 0 and 1 to the protocol's maximum; the next chunk anywhere is over the budget.
    let refusedAt: number | undefined;
    for (const n of [0, 1, 2]) {
      for (let seq = 0; seq * 1280 < MAX_UTTERANCE_SAMPLES && refusedAt === undefined; seq++) {
        const samples = tone.subarray(0, Math.min(1280, MAX_UTTERANCE_SAMPLES - seq * 1280));
        await g.onAudio('dev-u', n, encodeAudioChunk({ seq, offset: seq * 1280, samples }));
        if (rejections(n).length > 0 || t.events.some((e) => e.name === 'utterance-refused' && e.payload.utteranceId === n)) refusedAt = n;
      }
    }
    expect(refusedAt).toBe(2);
    expect(g.heldBytes('dev-u')).toBe(maxDeviceBytes);
    const refused = t.events.filter((e) => e.name === 'utterance-refused' && e.payload.utteranceId === 2);
    expect(refused.map((e) => e.payload)).toEqual([expect.objectContaining({ code: 429, refused: 'audio', dropped: false, message: expect.stringContaining(`${maxDeviceBytes} bytes`) })]);
    // Another device is not affected by this one's budget.
    await g.onStart('dev-other', 0, Buffer.from(JSON.stringify(TAP_START(0))));
    await g.onAudio('dev-other', 0, encodeAudioChunk({ seq: 0, offset: 0, samples: tone }));
    expect(g.heldBytes('dev-other')).toBe(tone.byteLength);
  });

  test('chunks before a start are capped; an utterance kept busy still closes at its maximum age', async () => {
    const g = gateway();
    const { maxEarlyChunks, maxAgeMs, idleTimeoutMs } = g.caps;
    for (let seq = 0; seq <= maxEarlyChunks; seq++) await g.onAudio('dev-u', 5, encodeAudioChunk({ seq: seq % 100, offset: 0, samples: tone.subarray(0, 10) }));
    expect(t.events.filter((e) => e.name === 'utterance-refused').map((e) => e.payload)).toEqual([
      expect.objectContaining({ utteranceId: 5, code: 429, message: expect.stringContaining(`more than ${maxEarlyChunks} chunks before`) }),
    ]);
    await g.onStart('dev-u', 6, Buffer.from(JSON.stringify(TAP_START(6))));
    // A chunk every 10 s keeps it from going idle, but not past its maximum age.
    const step = idleTimeoutMs - 5000;
    let seq = 0;
    for (let at = 0; at + step < maxAgeMs; at += step) {
      await t.clock.advance(step);
      await g.onAudio('dev-u', 6, encodeAudioChunk({ seq: ++seq, offset: 0, samples: tone.subarray(0, 1) }));
      expect(t.events.some((e) => e.name === 'utterance' && e.payload.utteranceId === 6)).toBe(false);
    }
    await t.clock.advance(maxAgeMs);
    expect(t.events.some((e) => e.name === 'utterance' && e.payload.utteranceId === 6)).toBe(true);
    expect(g.openCount).toBe(0);
    expect(g.heldBytes()).toBe(0);
  });

  test('a flood of bad chunks is counted in full but answered at the refusal rate', async () => {
    const g = gateway();
    for (let i = 0; i < 100; i++) await g.onAudio('dev-u', 7, Buffer.from([9, 9, 9]));
    expect(g.refusalCounts).toEqual({ refused: 100, published: REFUSAL_BURST });
    await waitUntil(() => rejections(7).length === REFUSAL_BURST, 'the published refusals');
    await t.clock.advance(1000); // the bucket refills at 10 a second
    for (let i = 0; i < 20; i++) await g.onAudio('dev-u', 7, Buffer.from([9, 9, 9]));
    expect(g.refusalCounts).toEqual({ refused: 120, published: REFUSAL_BURST + 10 });
  });
});

describe('one verdict per utterance', () => {
  beforeEach(async () => {
    const { models } = await sharedModels();
    await start({ verifier: new WakeWordVerifier({ models }) });
  });

  test('the end arriving while the deciding chunk is still being scored does not publish the verdict again', async () => {
    const fixture = loadFixtures('pos').find((f) => f.name.startsWith('p01'))!;
    const stream = labelledStream(fixture);
    const audio = stream.audio.subarray(0, Math.min(stream.audio.length, MAX_UTTERANCE_SAMPLES));
    const chunks = Math.ceil(audio.length / 1280);
    for (let round = 1; round <= 3; round++) {
      // Back to back, as a device on a fast link sends them: the end arrives while the chunks are still being scored.
      await a.publish(a.topics.utteranceStart(round), { ...TAP_START(round), initiator: 'wakeword', keyword: 'alexa', ...stream.start });
      for (let seq = 0; seq < chunks; seq++) {
        await a.publish(a.topics.utteranceAudio(round), encodeAudioChunk({ seq, offset: seq * 1280, samples: audio.subarray(seq * 1280, (seq + 1) * 1280) }), { qos: 0 });
      }
      await a.publish(a.topics.utteranceEnd(round), { id: round, endIndex: audio.length, reason: 'end-of-speech', samples: audio.length, chunks });
      await t.waitFor('utterance', (p) => p.utteranceId === round);
      await a.next(a.topics.utteranceResponse(round), 0);
    }
    for (let round = 1; round <= 3; round++) {
      expect(a.json(a.topics.utteranceVerdict(round))).toEqual([expect.objectContaining({ id: round, confirmed: true })]);
      expect(t.events.filter((e) => e.name === 'verdict' && e.payload.utteranceId === round)).toHaveLength(1);
    }
  });

  test('chunks that arrived before their start, and more arriving while those are scored, make one utterance with no gap', async () => {
    const fixture = loadFixtures('pos').find((f) => f.name.startsWith('p01'))!;
    const stream = labelledStream(fixture);
    const audio = stream.audio.subarray(0, Math.min(stream.audio.length, MAX_UTTERANCE_SAMPLES));
    const chunks = Math.ceil(audio.length / 1280);
    const chunk = (seq: number) => encodeAudioChunk({ seq, offset: seq * 1280, samples: audio.subarray(seq * 1280, (seq + 1) * 1280) });
    // The pre-roll and the wake word overtake the start (the cloud holds them as early chunks) ...
    const early = 12;
    for (let seq = 0; seq < early; seq++) await a.publish(a.topics.utteranceAudio(1), chunk(seq), { qos: 0 });
    await waitUntil(() => gateway().heldBytes('dev-u') === early * 1280 * 2, 'the early chunks held');
    // ... then the start, and the rest back to back while the early ones are being scored.
    await a.publish(a.topics.utteranceStart(1), { ...TAP_START(1), initiator: 'wakeword', keyword: 'alexa', ...stream.start });
    for (let seq = early; seq < chunks; seq++) await a.publish(a.topics.utteranceAudio(1), chunk(seq), { qos: 0 });
    await a.publish(a.topics.utteranceEnd(1), { id: 1, endIndex: audio.length, reason: 'end-of-speech', samples: audio.length, chunks });
    expect(await t.waitFor('utterance', (p) => p.utteranceId === 1)).toMatchObject({ missingChunks: 0 });
    expect(a.json(a.topics.utteranceVerdict(1))).toEqual([expect.objectContaining({ id: 1, confirmed: true })]);
  });
});
