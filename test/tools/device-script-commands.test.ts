/**
 * `echosim device --script` with local commands, as a user would run it: a WAV, a script file that
 * turns the request earcons on and off, do-not-disturb on, starts timers, sets an alarm and adds a
 * list item, `--events jsonl`, a WAV speaker and a `--data` flash. The commands run at their device
 * times through the device's local-command runner; their lights (the timer's notification pattern,
 * the do-not-disturb flash), chimes (on the speaker's timeline) and persistence (the flash after the
 * run, and a second run on it) must all show.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SystemClock } from '../../core/clock.js';
import { LocalFeatures } from '../../firmware/features/local-features.js';
import { probeWav } from '../../hal/mic/wav-header.js';
import { runCli } from './run-cli.js';

const DEMO = 'test/fixtures/demo/alexa-demo.wav'; // "Alexa, ..." at 2 s; the stream ends at 4.4 s
type Line = Record<string, unknown>;
const ofType = (lines: Line[], type: string): Line[] => lines.filter((l) => l.type === type);

const SCRIPT = `# earcons on before the wake word, off again before the request ends
0.5:{"Action":"SET_EARCONS","StartOfRequest":true,"EndOfRequest":true}
0.5:{"Action":"SET_DO_NOT_DISTURB","Enabled":true}
1:{"Action":"START_TIMER","DurationSeconds":12,"Label":"tea"}, 1:{"Action":"START_TIMER","DurationSeconds":3600,"Label":"bread"}
1.5:{"Action":"SET_ALARM","Time":"07:30","Repeat":"daily","Label":"wake up"}
1.5:{"Action":"ADD_LIST_ITEM","List":"shopping","Text":"oat milk"}
3:{"Action":"SET_EARCONS","StartOfRequest":false,"EndOfRequest":false}
16:action   # dismisses the tea timer
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-script-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The mean absolute sample of the speaker's timeline between two device times. */
function loudness(file: string, fromS: number, toS: number): number {
  const h = probeWav(file);
  const pcm = readFileSync(file).subarray(h.dataOffset + 8, h.dataOffset + 8 + h.dataBytes);
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 2);
  const part = samples.subarray(Math.round(fromS * h.sampleRate), Math.round(toS * h.sampleRate));
  return part.reduce((sum, x) => sum + Math.abs(x), 0) / Math.max(1, part.length);
}

test('timers, an alarm, a list item, do-not-disturb and earcons from a script: lights, chimes and flash', async () => {
  const script = path.join(dir, 'kitchen.script');
  writeFileSync(script, SCRIPT);
  const data = path.join(dir, 'flash');
  const speaker = path.join(dir, 'speaker.wav');
  const args = ['device', '--offline', '--fast', '--events', 'jsonl', '--mic', `wav:${DEMO}`, '--data', data];
  const r = await runCli([...args, '--speaker', `wav:${speaker}`, '--script', `@${script}`]);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);

  // A fresh flash at boot; then every command at its time, in script order, each done.
  expect(ofType(r.lines, 'features')).toEqual([expect.objectContaining({ time: 0, doNotDisturb: false, timers: [], alarms: [], lists: { shopping: [], todo: [] } })]);
  expect(ofType(r.lines, 'command').map((c) => [c.time, c.line, c.action, c.ok])).toEqual([
    [0.5, 2, 'SET_EARCONS', true],
    [0.5, 3, 'SET_DO_NOT_DISTURB', true],
    [1, 4, 'START_TIMER', true],
    [1, 4, 'START_TIMER', true],
    [1.5, 5, 'SET_ALARM', true],
    [1.5, 6, 'ADD_LIST_ITEM', true],
    [3, 7, 'SET_EARCONS', true],
  ]);

  // Earcons: on when the wake word came (2 s), off by the end of the request (4.4 s).
  const sounds = ofType(r.lines, 'sound');
  expect(sounds.filter((s) => s.label === 'start-of-request').map((s) => s.time)).toEqual([2]);
  expect(sounds.filter((s) => s.label === 'end-of-request')).toEqual([]);

  // The tea timer rings 12 s after 1 s: a notification, the yellow notification pattern on the
  // ring, a chime every 2 s until the action press dismisses it.
  expect(ofType(r.lines, 'notification').map((n) => [n.time, n.kind, n.action, n.label])).toEqual([
    [13, 'timer', 'ringing', 'tea'],
    [16.1, 'timer', 'dismissed', 'tea'],
  ]);
  const chimes = sounds.filter((s) => s.label === 'chime').map((s) => s.time);
  expect(chimes).toEqual([13, 15]);
  const leds = ofType(r.lines, 'leds') as Array<{ time: number; pattern?: string }>;
  const patternAt = (from: number, to: number): Set<string | undefined> => new Set(leds.filter((l) => l.time >= from && l.time < to).map((l) => l.pattern));
  expect(patternAt(13, 16.1)).toEqual(new Set(['notification']));
  expect(patternAt(0, 13)).not.toContain('notification');
  // Do-not-disturb on: the ring flashes it when the request is over (THINKING -> IDLE).
  const idle = ofType(r.lines, 'state').find((s) => s.from === 'THINKING' && s.to === 'IDLE');
  expect(idle).toBeDefined();
  expect(patternAt(idle!.time as number, (idle!.time as number) + 1)).toContain('off+dnd');

  // The chime is on the speaker's timeline at 13 s, and the speaker is silent just before it.
  expect(loudness(speaker, 13, 13.5)).toBeGreaterThan(100 * Math.max(1, loudness(speaker, 11, 12.9)));

  // On flash after the run: the bread timer, the alarm, the list item, DND on, earcons off.
  const features = await LocalFeatures.open({ dir: data, clock: new SystemClock() });
  try {
    const f = features.snapshot();
    expect(f.notifications.timers.map((t) => t.label)).toEqual(['bread']);
    expect(f.notifications.alarms).toEqual([expect.objectContaining({ time: '07:30', repeat: 'daily', label: 'wake up' })]);
    expect(f.lists.shopping.map((i) => i.text)).toEqual(['oat milk']);
    expect(f.settings).toMatchObject({ doNotDisturb: true, earcons: { startOfRequest: false, endOfRequest: false } });
  } finally {
    await features.close();
  }

  // A second run on the same flash, with no script, sees them all at boot and acts on them.
  const again = await runCli(args);
  expect(again.code).toBe(0);
  expect(ofType(again.lines, 'features')).toEqual([
    expect.objectContaining({
      doNotDisturb: true,
      earcons: { startOfRequest: false, endOfRequest: false },
      timers: [expect.objectContaining({ label: 'bread', durationMs: 3_600_000 })],
      alarms: [expect.objectContaining({ time: '07:30', repeat: 'daily', label: 'wake up' })],
      lists: { shopping: ['oat milk'], todo: [] },
    }),
  ]);
  expect(ofType(again.lines, 'sound').filter((s) => s.label === 'start-of-request')).toEqual([]);
  expect(ofType(again.lines, 'leds').map((l) => l.pattern)).toContain('off+dnd');
});

test('a bad line is refused with its number before anything starts', async () => {
  const data = path.join(dir, 'never');
  const script = path.join(dir, 'bad.script');
  writeFileSync(script, '0.5:{"Action":"SET_DO_NOT_DISTURB","Enabled":true}\n# fine so far\n2:{"Action":"START_TIMER","DurationSeconds":100000}\n');
  const r = await runCli(['device', '--offline', '--fast', '--events', 'jsonl', '--mic', `wav:${DEMO}`, '--data', data, '--script', `@${script}`]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`DEVICE_SCRIPT_INVALID: ${script} line 3 `);
  expect(r.stderr).toContain('DurationSeconds');
  expect(r.lines).toEqual([]);
  expect(existsSync(data)).toBe(false);
});
