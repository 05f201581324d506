/**
 * The main job (`npm start` = `echosim demo`): the cloud and one simulated echo-dot-3 that hears the
 * bundled "Alexa, what time is it?" through the full pipeline, the cloud's verification and its
 * assistant, and plays the spoken answer on its speaker; then, kept up, it takes a profile flashed
 * from "a second terminal" exactly as the printed instructions say.
 */

/** RMS of samples [from, to) of a 16 kHz track, in int16 units. */
function rms(samples: Int16Array, fromS: number, toS: number): number {
  const a = samples.subarray(Math.round(fromS * 16_000), Math.round(toS * 16_000));
  let sum = 0;
  for (const v of a) sum += v * v;
  return a.length === 0 ? 0 : Math.sqrt(sum / a.length);
}
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readWav } from '../../tools/harness/index.js';
import { runCli, startCli, type RunningCli } from './run-cli.js';

let dir: string;
let demo: RunningCli | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'echosim-demo-'));
});
afterEach(async () => {
  await demo?.stop('SIGKILL');
  demo = undefined;
  rmSync(dir, { recursive: true, force: true });
});

test('hears the request, the cloud confirms the wake word and answers, the speaker plays the answer, and it says how to flash', async () => {
  const res = await runCli(['demo', '--fast', '--no-stay', '--data', dir]);
  expect(res.code).toBe(0);
  expect(res.stdout).toContain('the cloud is up');
  expect(res.stdout).toMatch(/wake word "alexa"/);
  expect(res.stdout).toMatch(/IDLE -> LISTENING \(WAKE_WORD\)/);
  expect(res.stdout).toMatch(/streaming to the cloud, from 500 ms before the wake word/);
  expect(res.stdout).toMatch(/the cloud confirmed the wake word/);
  expect(res.stdout).toMatch(/the cloud understood "what time is it": WhatTime, confidence/);
  expect(res.stdout).toMatch(/THINKING -> SPEAKING \(RESPONSE\)/);
  expect(res.stdout).toMatch(/SPEAKING -> IDLE \(SPEECH_DONE\)/);
  // The answer was played: its samples are in the speaker's WAV where the narration says, silence before the request.
  const played = /^ +(\d+\.\d+) s {2}the speaker plays the cloud's spoken answer \((\d+\.\d+) s\)$/m.exec(res.stdout);
  expect(played).not.toBeNull();
  const [at, length] = [Number(played![1]), Number(played![2])];
  expect(length).toBeGreaterThan(0.5);
  const speakerWav = path.join(dir, 'devices', 'demo-echo-1', 'speaker.wav');
  expect(res.stdout).toContain(`what the device's speaker played (the answer included) is in\n         ${speakerWav}\n`);
  const { samples } = await readWav(speakerWav);
  expect(samples.length / 16_000).toBeGreaterThanOrEqual(at + length - 0.01);
  expect(rms(samples, at, at + length)).toBeGreaterThan(300); // speech at a normal level, not a click
  expect(rms(samples, 0, 1.5)).toBe(0); // nothing was played before the request
  expect(res.stdout).toMatch(/npx echosim flash --device demo-echo-1 --room-profile examples\/room-profile\.json/);
  expect(res.stdout).not.toMatch(/\x1b/); // not a terminal: plain lines, no ring, no escape code
  // a second run reuses the registration kept on the device's flash
  const again = await runCli(['demo', '--fast', '--no-stay', '--data', dir]);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/re-applied from flash/);
});

test('kept up, it applies a profile flashed with the printed command, and stops on Ctrl-C', async () => {
  demo = startCli(['demo', '--fast', '--stay', '--data', dir], { env: { ECHOSIM_LOG_LEVEL: 'warn' } });
  const [flashLine] = await demo.waitForText(/npx echosim flash [^\n]+/, 60_000);
  await demo.waitForText(/Ctrl-C stops it/);
  const args = flashLine.replace(/^npx echosim /, '').split(' ').map((a) => (a === 'examples/room-profile.json' ? path.resolve(a) : a));
  const flashed = await runCli(args);
  expect(flashed.code).toBe(0);
  await demo.waitForText(/applied profile version \d+ \(MaxVolumeLimit 6, time zone Europe\/Berlin\)/);
  expect(await demo.stop('SIGINT')).toBe(0);
  // The same device heard the utterance and then the quiet room: one boot, said in words.
  expect(demo.stdout().match(/BOOTING ->/g)).toHaveLength(1);
  expect(demo.stdout()).toMatch(/the recording is over; the microphone now hears a quiet room\n[^]*Ctrl-C stops it/);
  expect(demo.stdout()).toMatch(/^echosim: the device and the cloud have stopped$/m);
});
