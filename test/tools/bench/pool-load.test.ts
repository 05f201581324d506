import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { readWavMono } from '../../../tools/bench/read-mono.js';
import { measurePoolLoad } from '../../../tools/bench/pool-load.js';
import { DEMO_WAV } from '../../../tools/harness/audio.js';

/**
 * `bench pool` puts a fixed load on a real worker pool: the same inputs give the same scores (its
 * checksum) from run to run, whatever order batches finish in, and every thread's CPU is counted.
 * No timing is asserted.
 */
test('a fixed load scores the same from run to run and reports CPU per chunk per thread and stage', async () => {
  const clip = await readWavMono(DEMO_WAV, { kind: 'mean' });
  expect(clip.length).toBeGreaterThan(2 * SAMPLE_RATE);
  const options = { streams: 4, vadStreams: 2, rounds: 12, warmupRounds: 2, workers: 2, keyword: 'alexa' };
  const first = await measurePoolLoad(clip, options);
  const second = await measurePoolLoad(clip, options);
  expect(first).toMatchObject({ streams: 4, vad_streams: 2, rounds: 12, chunks: 48 });
  expect(first.checksum).toBeGreaterThan(0);
  expect(second.checksum).toBe(first.checksum);
  expect(first.cpu_ms_per_chunk.workers).toBeGreaterThan(0);
  expect(first.cpu_ms_per_chunk.total).toBeGreaterThanOrEqual(first.cpu_ms_per_chunk.workers);
  expect(Object.keys(first.stages_ms_per_chunk)).toEqual(expect.arrayContaining(['wakeword batch', 'vad batch', 'silero VAD']));
});
