import { EARCON_NAMES, EARCON_PEAK, earcon, earconDurationMs, type EarconName } from '../../../firmware/speaker/earcons.js';
import { rms, toneAmplitude } from '../../hal/mic/helpers.js';

const RATE = 16000;
const ms = (n: number): number => Math.round((n * RATE) / 1000);

/** Highest note of each earcon: no sample may step further than a full-scale sine of it could. */
const TOP_HZ: Record<EarconName, number> = { 'start-of-request': 987.77, 'end-of-request': 987.77, chime: 1567.98, volume: 1000, error: 440 };

describe('earcons', () => {
  test.each(EARCON_NAMES)('%s starts and ends at silence and never jumps (no clicks)', (name) => {
    const x = earcon(name);
    expect(Math.abs(x[0] ?? NaN)).toBeLessThanOrEqual(16);
    expect(Math.abs(x[x.length - 1] ?? NaN)).toBeLessThanOrEqual(16);
    // The ramps: the first and last 2 ms are far quieter than the body.
    const edge = ms(2);
    expect(rms(x.subarray(0, edge))).toBeLessThan(0.1 * EARCON_PEAK);
    expect(rms(x.subarray(x.length - edge))).toBeLessThan(0.1 * EARCON_PEAK);
    let maxStep = 0;
    for (let i = 1; i < x.length; i++) maxStep = Math.max(maxStep, Math.abs((x[i] ?? 0) - (x[i - 1] ?? 0)));
    expect(maxStep).toBeLessThanOrEqual((2 * Math.PI * TOP_HZ[name] * EARCON_PEAK) / RATE + 2);
  });

  test.each(EARCON_NAMES)('%s peaks at -6 dBFS', (name) => {
    const x = earcon(name);
    expect(Math.max(...Array.from(x, Math.abs))).toBe(EARCON_PEAK);
  });

  test('start-of-request rises and end-of-request falls, each under a quarter second', () => {
    const start = earcon('start-of-request');
    const end = earcon('end-of-request');
    expect(earconDurationMs('start-of-request')).toBeLessThanOrEqual(250);
    expect(earconDurationMs('end-of-request')).toBeLessThanOrEqual(250);
    const lo = 659.25;
    const hi = 987.77;
    const head = (x: Int16Array): Int16Array => x.subarray(ms(10), ms(80));
    const tail = (x: Int16Array): Int16Array => x.subarray(x.length - ms(100), x.length - ms(30));
    expect(toneAmplitude(head(start), lo, RATE)).toBeGreaterThan(10 * toneAmplitude(head(start), hi, RATE));
    expect(toneAmplitude(tail(start), hi, RATE)).toBeGreaterThan(10 * toneAmplitude(tail(start), lo, RATE));
    expect(toneAmplitude(head(end), hi, RATE)).toBeGreaterThan(10 * toneAmplitude(head(end), lo, RATE));
    expect(toneAmplitude(tail(end), lo, RATE)).toBeGreaterThan(10 * toneAmplitude(tail(end), hi, RATE));
  });

  test('the chime strikes C6, E6, G6 in turn and fits between the ringer\'s 2 s repeats', () => {
    const x = earcon('chime');
    expect(earconDurationMs('chime')).toBeGreaterThanOrEqual(500);
    expect(earconDurationMs('chime')).toBeLessThan(2000);
    const window = (fromMs: number): Int16Array => x.subarray(ms(fromMs), ms(fromMs + 120));
    const [c, e, g] = [1046.5, 1318.51, 1567.98];
    expect(toneAmplitude(window(10), c, RATE)).toBeGreaterThan(5 * toneAmplitude(window(10), g, RATE));
    expect(toneAmplitude(window(160), e, RATE)).toBeGreaterThan(toneAmplitude(window(10), e, RATE) * 5);
    expect(toneAmplitude(window(310), g, RATE)).toBeGreaterThan(toneAmplitude(window(160), g, RATE) * 5);
    // A bell: it decays.
    expect(rms(x.subarray(ms(700), ms(800)))).toBeLessThan(0.3 * rms(x.subarray(ms(300), ms(400))));
  });

  test('the error tone falls from A4 to E4, lower than any other earcon, and lasts about half a second', () => {
    const x = earcon('error');
    expect(earconDurationMs('error')).toBeGreaterThanOrEqual(400);
    expect(earconDurationMs('error')).toBeLessThanOrEqual(600);
    const [a4, e4] = [440, 329.63];
    const head = x.subarray(ms(20), ms(150));
    const tail = x.subarray(ms(250), ms(450));
    expect(toneAmplitude(head, a4, RATE)).toBeGreaterThan(10 * toneAmplitude(head, e4, RATE));
    expect(toneAmplitude(tail, e4, RATE)).toBeGreaterThan(10 * toneAmplitude(tail, a4, RATE));
  });

  test('the volume tick is short', () => {
    expect(earconDurationMs('volume')).toBeLessThanOrEqual(100);
    expect(toneAmplitude(earcon('volume'), 1000, RATE)).toBeGreaterThan(0.3 * EARCON_PEAK);
  });

  test('each call returns a fresh copy', () => {
    const a = earcon('volume');
    a.fill(0);
    expect(earcon('volume').some((v) => v !== 0)).toBe(true);
  });
});
