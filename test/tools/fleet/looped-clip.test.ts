import { SystemClock } from '../../../core/clock.js';
import { LoopedClipSource } from '../../../tools/fleet/looped-clip.js';

/** The fleet's microphone: the clip heard in a loop, frame after frame, wrapping mid-frame. */
test('a looped clip repeats the clip sample for sample across frame and loop boundaries', async () => {
  const clip = Int16Array.from({ length: 1000 }, (_, i) => i - 500);
  // 0.25 s = 4000 samples: 3 full frames of 1280 and a partial one, the clip wrapping inside frames.
  const source = new LoopedClipSource(clip, 0.25, new SystemClock(), 'ramp');
  const heard: number[] = [];
  const starts: number[] = [];
  for await (const frame of source.frames()) {
    starts.push(frame.index);
    heard.push(...frame.samples);
  }
  await source.close();
  expect(starts).toEqual([0, 1280, 2560, 3840]);
  expect(heard).toHaveLength(4000);
  expect(heard).toEqual(Array.from({ length: 4000 }, (_, i) => clip[i % 1000]));
});
