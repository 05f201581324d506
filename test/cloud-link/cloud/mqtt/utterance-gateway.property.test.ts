/**
 * Property: whatever sequence of utterance starts, chunks and ends devices send (valid, out of order,
 * interleaved across ids and devices, duplicated, with numbers at and past every bound, 2^32, 2^53,
 * NaN and Infinity as JSON words, garbage), the cloud's utterance gateway never throws, never holds
 * more audio per device than its cap (counted by the gateway's own accessor), keeps the number of
 * open utterances bounded, gives everything back once the utterances expire, and the process heap
 * does not grow beyond a few megabytes over thousands of messages.
 *
 * Messages go straight to the gateway (as the cloud's router hands them over, several at once
 * without waiting, as it does), with real wake-word verification behind it. Seeded: a failure names
 * its seed and step.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WakeWordVerifier } from '../../../../cloud-link/cloud/verification/verifier.js';
import type { UtteranceGateway } from '../../../../cloud-link/cloud/mqtt/utterance-gateway.js';
import { Rng } from '../../../../tools/bench/fuzz-rng.js';
import { fuzzAudio, fuzzEnd, fuzzStart, rawChunk, tapStart } from '../../../../tools/bench/fuzz-utterance.js';
import { MAX_CHUNK_SAMPLES, MAX_UTTERANCE_CHUNKS, MAX_UTTERANCE_SAMPLES } from '../../../../cloud-link/protocol/utterance-limits.js';
import { disposeSharedModels, sharedModels } from '../../../firmware/device/harness.js';
import { waitUntil } from '../../../support/mosquitto.js';
import { startTestCloud, type TestCloud } from '../cloud-fixture.js';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const DEVICES = ['fz-a', 'fz-b', 'fz-c'];
const IDS = [0, 1, 2, 3, 4, 5, 999_999_999_999_999];
const STEPS = 1500;
const MAX_PAYLOAD = 96 * 1024;
/** Heap growth allowed over a run, after a collection: bounded caches and the verifier's engines fit easily. */
const HEAP_CEILING_BYTES = 48 * 2 ** 20;

type Step = { what: string; run: (g: UtteranceGateway) => Promise<void> };

function nextStep(rng: Rng, t: TestCloud, last: Step | undefined): Step {
  const device = rng.pick(DEVICES);
  const id = rng.chance(0.95) ? rng.pick(IDS.slice(0, -1)) : rng.pick(IDS);
  return rng.weighted<() => Step>([
    [10, () => ({ what: `start ${device}/${id}`, run: (g) => g.onStart(device, id, fuzzStart(rng, id, MAX_PAYLOAD)) })],
    [30, () => ({ what: `audio ${device}/${id}`, run: (g) => g.onAudio(device, id, fuzzAudio(rng, MAX_PAYLOAD)) })],
    [40, () => {
      // A well-formed chunk anywhere in the first device's first utterances: what fills the cloud's memory if anything can.
      const seq = rng.int(MAX_UTTERANCE_CHUNKS);
      const chunk = rawChunk(rng, { seq, offset: seq * MAX_CHUNK_SAMPLES, samples: MAX_CHUNK_SAMPLES });
      const [d, n] = [rng.chance(0.8) ? DEVICES[0]! : device, rng.int(3)];
      return { what: `chunk ${seq} ${d}/${n}`, run: (g) => g.onAudio(d, n, chunk) };
    }],
    [4, () => ({ what: `end ${device}/${id}`, run: (g) => g.onEnd(device, id, fuzzEnd(rng, id, MAX_PAYLOAD)) })],
    [6, () => last ?? { what: 'nothing', run: async () => undefined }], // the same message again (a QoS 1 redelivery)
    [3, () => {
      const ms = rng.pick([50, 1000, 5000, 14_999, 15_000, 31_000]);
      return { what: `advance ${ms} ms`, run: () => t.clock.advance(ms) };
    }],
  ])();
}

let t: TestCloud;
beforeAll(async () => {
  const { models } = await sharedModels();
  t = await startTestCloud({ verifier: new WakeWordVerifier({ models }) });
});
afterAll(async () => {
  await t.stop();
  await disposeSharedModels();
});

test.each([1, 2, 3])('seed %i: nothing throws, audio held stays under the per-device cap, the heap stays flat', async (seed) => {
  const g = t.cloud.utteranceGateway!;
  const { maxDeviceBytes, maxOpenPerDevice, maxAgeMs } = g.caps;
  const rng = new Rng(seed);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = 0;
  let last: Step | undefined;
  // First, the most one device may hold: three utterances sent in full. The third is refused at the cap.
  for (const n of [0, 1, 2]) {
    await g.onStart(DEVICES[0]!, n, Buffer.from(JSON.stringify(tapStart(n))));
    for (let seq = 0; seq * MAX_CHUNK_SAMPLES < MAX_UTTERANCE_SAMPLES; seq++) {
      const samples = Math.min(MAX_CHUNK_SAMPLES, MAX_UTTERANCE_SAMPLES - seq * MAX_CHUNK_SAMPLES);
      await g.onAudio(DEVICES[0]!, n, rawChunk(rng, { seq, offset: seq * MAX_CHUNK_SAMPLES, samples }));
    }
  }
  let peakHeld = g.heldBytes(DEVICES[0]);
  expect(peakHeld).toBe(maxDeviceBytes);
  for (let step = 0; step < STEPS; ) {
    // Several messages in flight at once, as the cloud's router starts them.
    const batch: Step[] = [];
    for (let k = 1 + rng.int(8); k > 0 && step < STEPS; k--, step++) batch.push((last = nextStep(rng, t, last)));
    const results = await Promise.allSettled(batch.map((s) => s.run(g)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') throw new Error(`seed ${seed}, step ${step - batch.length + i} (${batch[i]!.what}) threw: ${String(r.reason)}`);
    });
    for (const d of DEVICES) {
      const held = g.heldBytes(d);
      peakHeld = Math.max(peakHeld, held);
      if (held > maxDeviceBytes) throw new Error(`seed ${seed}, step ${step}: ${d} holds ${held} bytes, over ${maxDeviceBytes}`);
    }
    expect(g.openCount).toBeLessThanOrEqual(DEVICES.length * maxOpenPerDevice);
    if (step % 250 < batch.length) {
      gc();
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed - heapBefore);
    }
  }
  // Everything expires: nothing is left behind.
  await t.clock.advance(maxAgeMs);
  await waitUntil(() => g.openCount === 0, 'every utterance closed');
  expect(g.heldBytes()).toBe(0);
  expect(g.refusalCounts.refused).toBeGreaterThan(STEPS / 10); // the fuzz did hit the bounds
  expect(peakHeld).toBe(maxDeviceBytes); // never more than the cap, which the fill did reach
  gc();
  const grown = process.memoryUsage().heapUsed - heapBefore;
  expect(Math.max(grown, peakHeap)).toBeLessThan(HEAP_CEILING_BYTES);
});
