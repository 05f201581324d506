import { Endpointer } from '../../../models/vad/endpointer.js';

const opts = { speechThreshold: 0.5, silenceThreshold: 0.35, trailingSilenceMs: 320, noSpeechTimeoutMs: 640, quietFloorDbfs: -60 };
// 512-sample windows are 32 ms: 320 ms of silence is 10 windows, 640 ms is 20.

describe('Endpointer', () => {
  test('ends after the trailing silence that follows speech', () => {
    const e = new Endpointer(opts);
    for (let i = 0; i < 5; i++) expect(e.update(0.9).ended).toBe(false);
    for (let i = 0; i < 9; i++) expect(e.update(0.1).ended).toBe(false);
    expect(e.update(0.1)).toEqual({ ended: true, reason: 'end-of-speech', windowsSeen: 15 });
  });

  test('probabilities between the thresholds neither extend nor reset the silence', () => {
    const e = new Endpointer(opts);
    e.update(0.9);
    for (let i = 0; i < 9; i++) e.update(0.1);
    expect(e.update(0.4).ended).toBe(false);
    expect(e.update(0.1).ended).toBe(true);
  });

  test('speech resets the trailing silence', () => {
    const e = new Endpointer(opts);
    e.update(0.9);
    for (let i = 0; i < 9; i++) e.update(0.1);
    e.update(0.8);
    for (let i = 0; i < 9; i++) expect(e.update(0.1).ended).toBe(false);
    expect(e.update(0.1).ended).toBe(true);
  });

  test('gives up when no speech is heard at all', () => {
    const e = new Endpointer(opts);
    for (let i = 0; i < 19; i++) expect(e.update(0.1).ended).toBe(false);
    expect(e.update(0.1)).toEqual({ ended: true, reason: 'no-speech', windowsSeen: 20 });
  });
});
