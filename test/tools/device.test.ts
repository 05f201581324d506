/**
 * `echosim device --offline --events jsonl --script ...`: the same device-in-the-loop checks as
 * test/firmware/device, through the command line a CI job would use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './run-cli.js';

const DEMO = 'test/fixtures/demo/alexa-demo.wav';
const base = ['device', '--offline', '--events', 'jsonl', '--fast', '--mic', `wav:${DEMO}`];
type Line = Record<string, unknown>;
const ofType = (lines: Line[], type: string): Line[] => lines.filter((l) => l.type === type);
const transitions = (lines: Line[]): string[] => ofType(lines, 'state').map((l) => `${String(l.from)}>${String(l.to)}`);

describe('echosim device', () => {
  test('wake word, LISTENING pointed at a talker at 120°, THINKING, then IDLE after the 5 s timeout', async () => {
    const r = await runCli([...base, '--talker-angle', '120']);
    expect(r.code).toBe(0);
    expect(transitions(r.lines)).toEqual(['BOOTING>IDLE', 'IDLE>LISTENING', 'LISTENING>THINKING', 'THINKING>IDLE']);
    const [, listening, thinking, idle] = ofType(r.lines, 'state') as Array<Record<string, number>>;
    expect(idle!.time - thinking!.time).toBeCloseTo(5, 3);
    const [direction] = ofType(r.lines, 'direction');
    expect(direction).toMatchObject({ led: 4 });
    expect(Math.abs((direction!.azimuthDeg as number) - 120)).toBeLessThanOrEqual(15);
    expect(ofType(r.lines, 'stream-start')[0]).toMatchObject({ wakeWordIndices: { startIndexInSamples: 8000 }, preRoll: { complete: true } });
    // LED frames come throttled, with their audio time; while listening LED 4 is the cyan one.
    const leds = ofType(r.lines, 'leds') as Array<{ time: number; leds: string[] }>;
    const during = leds.filter((l) => l.time >= listening!.time && l.time < thinking!.time);
    expect(during.length).toBeGreaterThan(0);
        // Throttled: roughly one frame per 250 ms at most, not the ring's 20 fps.
    const thinkingFrames = leds.filter((l) => l.time >= thinking!.time && l.time < idle!.time);
    expect(thinkingFrames.length).toBeGreaterThan(10);
    expect(thinkingFrames.length).toBeLessThanOrEqual(Math.ceil((idle!.time - thinking!.time) / 0.2) + 2);
    const g = (hex: string): number => parseInt(hex.slice(3, 5), 16);
    const ring = during[0]!.leds;
    expect(ring.indexOf(ring.reduce((a, b) => (g(b) > g(a) ? b : a)))).toBe(4);
    expect(r.lines.at(-1)).toMatchObject({ type: 'end', state: 'IDLE' });
  });

  test('a scripted mic-off during LISTENING ends the stream at the press; a wake word while muted is not heard', async () => {
    const during = await runCli([...base, '--script', '3.0:mic-off,4.0:mic-off']);
    expect(during.code).toBe(0);
    expect(transitions(during.lines)).toEqual(['BOOTING>IDLE', 'IDLE>LISTENING', 'LISTENING>MIC_OFF', 'MIC_OFF>IDLE']);
    const [end] = ofType(during.lines, 'stream-end') as Array<Record<string, number>>;
    expect(end).toMatchObject({ reason: 'mic-off', time: 3 });
    // Nothing captured after the press (sample 48,000) is streamed; what the end-pointer had not yet
    // judged when the button went down is not sent either.
    expect(end!.endIndex).toBeLessThanOrEqual(48_000);
    expect(end!.endIndex).toBeGreaterThan(48_000 - 1280);
    expect(ofType(during.lines, 'button').map((b) => [b.time, b.button, b.action])).toEqual([
      [3, 'mic-off', 'down'],
      [4, 'mic-off', 'down'],
    ]);

    const muted = await runCli([...base, '--script', '1.0:mic-off']);
    expect(ofType(muted.lines, 'detection')).toEqual([]);
    expect(transitions(muted.lines)).toEqual(['BOOTING>IDLE', 'IDLE>MIC_OFF']);
    const red = ofType(muted.lines, 'leds').at(-1) as { leds: string[] };
    expect(new Set(red.leds).size).toBe(1);
    expect(red.leds[0]).toMatch(/^#[89a-f][0-9a-f]0000$/);
  });

  test('settings persist in --data between runs; without it each run starts fresh', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'echosim-flash-'));
    try {
      await runCli([...base, '--data', data, '--script', '0.5:volume-up,1.0:mic-off']);
      const again = await runCli([...base, '--data', data]);
      expect(transitions(again.lines)).toEqual(['BOOTING>MIC_OFF']);
      expect(ofType(again.lines, 'detection')).toEqual([]);
      const fresh = await runCli(base);
      expect(transitions(fresh.lines)[1]).toBe('IDLE>LISTENING');
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  test('bad input is refused with a code and a usage exit status', async () => {
    const script = await runCli([...base, '--script', '1.0:self-destruct']);
    expect(script.code).toBe(2);
    expect(script.stderr).toMatch(/BUTTON_SCRIPT_INVALID/);
    // ... before the device page's port is bound.
    const withPage = await runCli([...base, '--web', '0', '--script', '1.0:self-destruct']);
    expect([withPage.code, withPage.stderr.includes('the device page is at')]).toEqual([2, false]);
    const trio = await runCli(['device', '--offline', '--fast', '--model', 'trio-9000', '--mic', `wav:${DEMO}`]);
    expect(trio.code).toBe(2);
    expect(trio.stderr).toMatch(/trio-8800/);
    const muteOnTrio = await runCli(['device', '--offline', '--fast', '--events', 'jsonl', '--model', 'trio-8800', '--mic', `wav:${DEMO}`, '--script', '1:mic-off']);
    expect(muteOnTrio.code).toBe(0);
    expect(ofType(muteOnTrio.lines, 'button')[0]).toMatchObject({ button: 'mute' });
  });
});
