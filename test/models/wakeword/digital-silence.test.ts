import { DigitalSilenceGuard, MIN_ZERO_RUN } from '../../../models/wakeword/digital-silence.js';

function rmsDbfs(a: Int16Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return 20 * Math.log10(Math.sqrt(s / a.length) / 32768);
}

describe('DigitalSilenceGuard', () => {
  test('fills runs of exact zeros with a -70 dBFS floor', () => {
    const a = new Int16Array(16000);
    const filled = new DigitalSilenceGuard().apply(a);
    expect(filled).toBe(16000);
    expect(Math.abs(rmsDbfs(a) - -70)).toBeLessThan(1);
  });

  test('leaves real audio and short zero runs untouched', () => {
    const a = new Int16Array(4000);
    for (let i = 0; i < a.length; i++) a[i] = Math.round(3000 * Math.sin(i / 7));
    a.fill(0, 100, 100 + MIN_ZERO_RUN - 1);
    const before = Int16Array.from(a);
    expect(new DigitalSilenceGuard().apply(a)).toBe(0);
    expect(Array.from(a)).toEqual(Array.from(before));
  });

  test('fills only the zero runs inside speech', () => {
    const a = new Int16Array(1000).fill(500);
    a.fill(0, 200, 600);
    new DigitalSilenceGuard().apply(a);
    expect(a[199]).toBe(500);
    expect(a[600]).toBe(500);
    expect(a.subarray(200, 600).some((v) => v !== 0)).toBe(true);
  });
});
