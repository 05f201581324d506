/**
 * A device in a fleet decides what the same device alone decides on the same audio (issue 18): the
 * fleet shares one copy of the models, batches wake-word and VAD inference across devices on a
 * worker thread and paces its devices together; none of that may change a detection or where a
 * stream ends. One device alone (main-thread inference, nothing batched) and four devices of a fleet
 * (one worker, batched) hear the demo utterance in a loop with Silero VAD end-pointing, and each
 * fleet device's decisions are compared with the lone device's, in audio samples.
 */
import { runFleet, type FleetSummary } from '../../tools/fleet/fleet.js';
import { compareTraces, type ListeningTrace } from '../../tools/fleet/listening-trace.js';

const RUN = { durationS: 10, progress: false, trace: true, speedChunks: 20 } as const;

function tracesOf(s: FleetSummary): ListeningTrace[] {
  expect(s.traces).toBeDefined();
  return s.traces ?? [];
}

test('four devices of a fleet (batched on a worker) detect and end-point exactly as one device alone', async () => {
  const alone = await runFleet({ ...RUN, devices: 1, listening: 1, workers: 0 });
  const fleet = await runFleet({ ...RUN, devices: 4, listening: 4, workers: 1, profile: true });
  expect(alone.vad && fleet.vad).toBe(true);
  // The fleet's inference ran on its worker, through the batch path (wake word and VAD). How many
  // streams share a call depends on timing (inputs wait for a batch only while one is in flight, so a
  // quiet machine sends most alone): that each row of a shared call is exactly its stream's own result
  // is proved deterministically where the batches are made (batch-scorer, batch-vad, batched-graphs tests).
  const stages = fleet.profile?.stages ?? {};
  for (const stage of ['wakeword batch', 'embedding (step)', 'vad batch', 'silero VAD']) {
    expect([stage, (stages[stage]?.calls ?? 0) > 0]).toEqual([stage, true]);
  }
  const [reference] = tracesOf(alone);
  if (!reference) throw new Error('no trace of the lone device');
  // The demo says "Alexa" twice in 10 s; each wake word opens a stream the VAD ends at the end of speech.
  expect(reference.detections.length).toBeGreaterThanOrEqual(2);
  expect(reference.streams.filter((s) => s.reason === 'end-of-speech').length).toBeGreaterThanOrEqual(2);
  const traces = tracesOf(fleet);
  expect(traces).toHaveLength(4);
  let streamsCompared = 0;
  for (const trace of traces) {
    const c = compareTraces(reference, trace);
    streamsCompared += c.streamsCompared;
    expect(c.differences).toEqual([]);
    // Most of the audio compared (a loaded machine may cut a lagging device's run a little short).
    expect(c.comparedSamples).toBeGreaterThan(0.8 * 10 * 16_000);
    expect(c.detections).toBe(reference.detections.filter((d) => d.detectedIndex <= c.comparedSamples).length);
  }
  // End-pointing compared on at least one stream per device on average (a stream the cloud cancelled
  // on a loaded machine has no end-pointing decision).
  expect(streamsCompared).toBeGreaterThanOrEqual(traces.length);

  // The comparison sees a device that skipped one 80 ms chunk before the first wake word (every later
  // decision then comes one chunk early on the audio it was given) ...
  const skipped = (t: ListeningTrace): ListeningTrace => {
    const early = (i: number): number => i - 1280;
    return {
      samples: t.samples,
      detections: t.detections.map((d) => ({ ...d, beginIndex: early(d.beginIndex), endIndex: early(d.endIndex), detectedIndex: early(d.detectedIndex) })),
      streams: t.streams.map((s) => ({
        startIndex: early(s.startIndex),
        ...(s.wakeWordAt === undefined ? {} : { wakeWordAt: early(s.wakeWordAt) }),
        ...(s.endIndex === undefined ? {} : { endIndex: early(s.endIndex), reason: s.reason }),
      })),
    };
  };
  const broken = compareTraces(reference, skipped(reference));
  expect(broken.differences.length).toBeGreaterThanOrEqual(reference.detections.length);
  // ... and one whose VAD ended its streams a VAD window later.
  const late = { ...reference, streams: reference.streams.map((s) => (s.endIndex === undefined ? s : { ...s, endIndex: s.endIndex + 512 })) };
  expect(compareTraces(reference, late).differences.length).toBeGreaterThanOrEqual(1);
}, 120_000);
