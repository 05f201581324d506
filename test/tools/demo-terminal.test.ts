/**
 * What a person sees: `npm start` (`echosim demo`) and `echosim device` in a real terminal (a tmux
 * pane), read back as the screen shows it. Every narration line must be there, in order, with
 * exactly one light ring under them, also after the terminal is resized; Ctrl-C stops the device and
 * the cloud cleanly, leaving no process and no temporary file behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TmuxPane } from '../support/tmux.js';
import { CLI } from './run-cli.js';

/** The demo's narration, in the order it must read (device-time order; the cloud's verdict comes while streaming). */
const NARRATION: readonly RegExp[] = [
  /^echosim: the cloud is up$/,
  /^ {9}MQTT broker mqtt:\/\/127\.0\.0\.1:\d+, HTTP API http:\/\/127\.0\.0\.1:\d+$/,
  /^ {9}its data: .*\/cloud$/,
  /^echosim: a simulated echo-dot-3 connects to it as "demo-echo-1" and hears$/,
  /^ {9}test\/fixtures\/demo\/alexa-what-time\.wav$/,
  /^ {9}its speaker: wav:.*\/devices\/demo-echo-1\/speaker\.wav$/,
  /^ {9}\(as fast as possible\)$/,
  /^ {5}0\.00 s {2}BOOTING -> CONNECTING \(BOOTED_CONFIGURED\): booted; cloud set up$/,
  /^ {5}0\.00 s {2}CONNECTING -> IDLE \(LINK_UP\): connected to the cloud$/,
  /^ {5}2\.00 s {2}wake word "alexa" \(score \d\.\d\d\): the ring lights up$/,
  /^ {5}2\.00 s {2}IDLE -> LISTENING \(WAKE_WORD\): listening to the request$/,
  /^ {5}2\.00 s {2}streaming to the cloud, from 500 ms before the wake word$/,
  /^ {5}3\.65 s {2}LISTENING -> THINKING \(STREAM_ENDED\): waiting for the answer$/,
  /^ {5}3\.68 s {2}the cloud understood "what time is it": WhatTime, confidence \d\.\d\d$/,
  /^ {5}3\.68 s {2}THINKING -> SPEAKING \(RESPONSE\): the cloud answered$/,
  /^ {5}3\.68 s {2}the speaker plays the cloud's spoken answer \(\d\.\d\d s\)$/,
  /^ {5}\d\.\d\d s {2}SPEAKING -> IDLE \(SPEECH_DONE\): done speaking$/,
  /^Flash a room profile to the device from a second terminal:$/,
  /^ {2}npx echosim flash --device demo-echo-1 --room-profile examples\/room-profile\.json \\$/,
  /^ {6}--data-dir .*\/cloud$/,
  /^ {2}npx echosim a4b get-device --device-arn arn:aws:a4b:local:000000000000:device\/demo-echo-1 \\$/,
  /^ {6}--data-dir .*\/cloud$/,
  /^The device is listening to a quiet room\. Ctrl-C stops it and the cloud\.$/,
];
/** Lines that come at their own moment between the ones above: each once, after `after`. */
const INTERLEAVED: ReadonlyArray<{ line: RegExp; after: RegExp }> = [
  { line: /^ {5}0\.00 s {2}applied profile version 1 \(no room profile yet\)$/, after: /BOOTING -> CONNECTING/ },
  { line: /^ {5}\d\.\d\d s {2}the cloud confirmed the wake word \(score (0\.\d\d|1\.00)\)$/, after: /streaming to the cloud/ },
  { line: /^ {5}3\.65 s {2}stream closed: end-of-speech$/, after: /streaming to the cloud/ },
  { line: /^ {5}3\.90 s {2}the recording is over; the microphone now hears a quiet room$/, after: /stream closed/ },
];

/** Index of each expected line in `screen`, failing with the screen when one is missing or out of order. */
function expectInOrder(screen: string[], expected: readonly RegExp[]): number[] {
  const at: number[] = [];
  let from = 0;
  for (const re of expected) {
    const i = screen.findIndex((l, k) => k >= from && re.test(l));
    if (i < 0) throw new Error(`${String(re)} is not on the screen after line ${from}:\n${screen.join('\n')}`);
    at.push(i);
    from = i + 1;
  }
  return at;
}

function expectNarration(screen: string[]): void {
  expectInOrder(screen, NARRATION);
  for (const { line, after } of INTERLEAVED) {
    expect(screen.filter((l) => line.test(l))).toHaveLength(1);
    expect(screen.findIndex((l) => line.test(l))).toBeGreaterThan(screen.findIndex((l) => after.test(l)));
  }
}

const LED = /[●○]/g;
const leds = (screen: string[]): number => screen.join('\n').match(LED)?.length ?? 0;
/** The ring's middle row: LED 3 on the left, LED 9 on the right, then the state. */
const RING_LABEL_ROW = /^[●○] {15}[●○] {3}(\S+)$/;

/** Exactly one 12-LED ring (echo-dot-3), drawn as a circle, below everything else; returns its state label. */
function expectOneRingAtTheBottom(screen: string[]): string {
  expect(leds(screen)).toBe(12);
  const rows = screen.filter((l) => RING_LABEL_ROW.test(l));
  expect(rows).toHaveLength(1);
  const top = screen.findIndex((l) => /[●○]/.test(l));
  expect(screen.slice(top)).toHaveLength(9); // the ring's nine rows end the screen
  return RING_LABEL_ROW.exec(rows[0] ?? '')?.[1] ?? '';
}

/**
 * What the command left in its TMPDIR. onnxruntime-node's native library (1.30, Linux x64) writes
 * an empty `mat-debug-<pid>.log` and a `.ses` file there in every process that loads a model (its
 * bundled telemetry SDK); those are not echosim's and are left out.
 */
const leftInTemp = (dir: string): string[] => readdirSync(dir).filter((f) => f !== '.ses' && !/^mat-debug-\d+\.log$/.test(f));

/**
 * Processes left from the pane's command: in its session (it leads one) or naming `marker` (a
 * directory only this test uses) on their command line, the tmux server aside. A session leader with
 * the pane's old pid that does not name the marker is another program that was given the same pid
 * after ours exited.
 */
function leftovers(tmux: TmuxPane, marker: string): string[] {
  const paneSid = tmux.pid;
  const out = execFileSync('ps', ['-e', '-o', 'pid=,sid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(l);
    if (!m) return false;
    const [pid, sid, args] = [Number(m[1]), Number(m[2]), m[3] ?? ''];
    if (pid === tmux.serverPid) return false;
    return args.includes(marker) || (sid === paneSid && pid !== paneSid);
  });
}

let work: string;
let pane: TmuxPane | undefined;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'echosim-demo-tty-'));
});
afterEach(() => {
  pane?.close();
  pane = undefined;
  rmSync(work, { recursive: true, force: true });
});

test('npm start in a 110x45 terminal: every narration line in order above one ring, through resizes; Ctrl-C stops everything cleanly', async () => {
  const data = path.join(work, 'data');
  const temp = path.join(work, 'tmp');
  mkdirSync(data);
  mkdirSync(temp);
  pane = TmuxPane.start([process.execPath, CLI, 'demo', '--fast', '--data', data], {
    columns: 110,
    rows: 45,
    cwd: process.cwd(),
    env: { TMPDIR: temp },
  });

  // Kept up: the whole story fits the screen, in order, with the ring (idle: off) under it.
  const up = await pane.waitFor((s) => s.some((l) => /Ctrl-C stops it/.test(l)), 120_000);
  expectNarration(up);
  expect(up.filter((l) => /BOOTING/.test(l))).toHaveLength(1); // one boot: the device goes on after the utterance
  expect(expectOneRingAtTheBottom(await pane.waitFor((s) => s.some((l) => RING_LABEL_ROW.test(l))))).toBe('off');

  // Resized (SIGWINCH): narrower and shorter, the story is in the scrollback and one ring is redrawn.
  pane.resize(80, 24);
  const small = await pane.waitFor((s) => leds(s) === 12 && s.filter((l) => RING_LABEL_ROW.test(l)).length === 1, 10_000);
  expectOneRingAtTheBottom(small);
  expectInOrder(pane.capture({ history: true }), [/^echosim: the cloud is up$/, /IDLE -> LISTENING/, /SPEAKING -> IDLE/, /Ctrl-C stops it/]);
  // Too few rows for the circle: the ring becomes one line of 12 LEDs.
  pane.resize(80, 10);
  const line = await pane.waitFor((s) => s.some((l) => /^([●○] ){12} off$/.test(l)), 10_000);
  expect(leds(line)).toBe(12);
  pane.resize(110, 45);
  expectOneRingAtTheBottom(await pane.waitFor((s) => s.some((l) => RING_LABEL_ROW.test(l)), 10_000));

  // Ctrl-C: the device and the cloud stop; the ring goes, the story stays, nothing is left behind.
  pane.sendKeys('C-c');
  expect(await pane.exitStatus()).toBe(0);
  const after = pane.capture({ history: true });
  expectInOrder(after, [/^echosim: the cloud is up$/, /Ctrl-C stops it/, /^echosim: what the device's speaker played \(the answer included\) is in$/, /^ {9}\/.*speaker\.wav$/, /^echosim: the device and the cloud have stopped$/, /^ {9}their data stays in /]);
  expect(leds(after.slice(after.findIndex((l) => /have stopped/.test(l))))).toBe(0);
  expect(leftovers(pane, work)).toEqual([]);
  expect(leftInTemp(temp)).toEqual([]);
  expect(readdirSync(data).sort()).toEqual(['cloud', 'devices']);
});

test('echosim device with the terminal ring: its messages and JSON lines scroll above one ring', async () => {
  const temp = path.join(work, 'tmp');
  mkdirSync(temp);
  const wav = path.join('test', 'fixtures', 'demo', 'alexa-demo.wav');
  pane = TmuxPane.start(
    [process.execPath, CLI, 'device', '--offline', '--mic', `wav:${wav}`, '--fast', '--talker-angle', '120', '--leds', 'terminal', '--events', 'jsonl', '--settle', '0', '--buttons', 'none', '--data', path.join(work, 'flash')],
    { columns: 110, rows: 45, cwd: process.cwd(), env: { TMPDIR: temp } },
  );
  expect(await pane.exitStatus(60_000)).toBe(0);
  const screen = pane.capture({ history: true });
  const events = screen.filter((l) => l.startsWith('{"type":'));
  expect(events.some((l) => l.startsWith('{"type":"state"') && l.includes('"to":"LISTENING"'))).toBe(true);
  expect(events[events.length - 1]).toMatch(/^\{"type":"end",/);
  // The JSON lines are whole (none cut by the ring), and the device's last ring is the one left.
  const end = screen.findIndex((l) => l.startsWith('{"type":"end"'));
  expect(expectOneRingAtTheBottom(screen.slice(end + 1))).toBe('off');
  expect(leds(screen)).toBe(12);
  expect(leftovers(pane, work)).toEqual([]);
  expect(leftInTemp(temp)).toEqual([]);
});
