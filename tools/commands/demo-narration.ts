import type { Cloud } from '../../cloud-link/cloud/cloud.js';
import type { DeviceInput } from '../../cloud-link/protocol/device-states.js';
import { audioSeconds } from '../device-events.js';
import type { DeviceSession } from '../device-session.js';

type Listener = (payload: never) => void;
interface Emitter {
  on(name: string, listener: Listener): unknown;
  off(name: string, listener: Listener): unknown;
}

/** What each input that moves the device means, in words (the state names alone say little to a newcomer). */
const INPUT_WORDS: Readonly<Record<DeviceInput, string>> = {
  BOOTED_OFFLINE: 'booted, without a cloud',
  BOOTED_UNCONFIGURED: 'booted; no cloud set up',
  BOOTED_CONFIGURED: 'booted; cloud set up',
  SETUP_REQUESTED: 'action held: setup mode',
  SETUP_DONE: 'setup is over',
  SETUP_TIMEOUT: 'setup timed out',
  LINK_UP: 'connected to the cloud',
  LINK_DOWN: 'lost the cloud',
  CONNECT_TIMEOUT: 'no cloud for 30 s',
  RETRY: 'trying the cloud again',
  WAKE_WORD: 'listening to the request',
  TAP: 'push-to-talk: listening',
  STREAM_ENDED: 'waiting for the answer',
  NO_SPEECH: 'nothing was said after it',
  LISTEN_TIMEOUT: 'listened as long as it may',
  CANCEL: 'cancelled',
  FALSE_WAKE: 'the cloud rejected the wake word',
  RESPONSE: 'the cloud answered',
  NO_RESPONSE: 'the cloud had nothing to say',
  THINK_TIMEOUT: 'no answer within 5 s',
  SPEECH_DONE: 'done speaking',
  ANNOUNCE: 'an announcement',
  MIC_OFF: 'microphones off',
  MIC_ON: 'microphones on',
  FAULT: 'something it needs failed',
};

/** Device time (seconds of audio) as the narration shows it, e.g. "   2.00 s". */
export const narrationTime = (ms: number): string => `${audioSeconds(ms).toFixed(2).padStart(7)} s`;

/**
 * The demo's running commentary: what the device does (device time, seconds of audio) and what the
 * cloud says about it, one line per event, each saying what happened. Returns a function that
 * removes every listener it added.
 */
export function narrate(session: DeviceSession, cloud: Cloud, out: (line: string) => void): () => void {
  const { device, link } = session;
  const at = narrationTime;
  const now = (): string => at(device.clock.now());
  const offs: Array<() => void> = [];
  function on<P>(emitter: unknown, name: string, listener: (payload: P) => void): void {
    const e = emitter as Emitter;
    e.on(name, listener as Listener);
    offs.push(() => e.off(name, listener as Listener));
  }

  on<{ from: string; to: string; input: DeviceInput; at: number }>(device, 'state', (t) =>
    out(`  ${at(t.at)}  ${t.from} -> ${t.to} (${t.input}): ${INPUT_WORDS[t.input]}`),
  );
  on<{ keyword: string; score: number; accepted: boolean }>(device, 'detection', (d) => {
    if (d.accepted) out(`  ${now()}  wake word "${d.keyword}" (score ${d.score.toFixed(2)}): the ring lights up`);
  });
  on<{ preRoll: { availableSamples: number }; at: number }>(device, 'stream-start', (s) =>
    out(`  ${at(s.at)}  streaming to the cloud, from ${s.preRoll.availableSamples / 16} ms before the wake word`),
  );
  on<{ reason: string; at: number }>(device, 'stream-end', (e) => out(`  ${at(e.at)}  stream closed: ${e.reason}`));
  on<{ reason: string; at: number }>(device, 'false-wake', (f) => out(`  ${at(f.at)}  the cloud did not confirm the wake word: ${f.reason}`));
  on<{ name: string; slots: Record<string, string | number>; confidence: number; heard: string; at: number }>(device, 'intent', (i) => {
    const slots = Object.entries(i.slots).map(([k, v]) => `${k} ${String(v)}`);
    const what = i.name === 'NoMatch' ? 'no command it knows (NoMatch)' : `${i.name}${slots.length ? ` (${slots.join(', ')})` : ''}`;
    out(`  ${at(i.at)}  the cloud understood${i.heard ? ` "${i.heard}"` : ''}: ${what}, confidence ${i.confidence.toFixed(2)}`);
  });
  on<{ label: string; at: number; durationMs: number }>(device, 'sound', (s) => {
    if (s.label === 'response') out(`  ${at(s.at)}  the speaker plays the cloud's spoken answer (${(s.durationMs / 1000).toFixed(2)} s)`);
  });
  on<{ type: string; ok: boolean; detail: string; at: number }>(device, 'directive', (d) => out(`  ${at(d.at)}  directive ${d.type}: ${d.ok ? 'done' : `refused (${d.detail})`}`));
  on<{ level: number; clamped: boolean }>(device, 'volume', (v) => out(`  ${now()}  volume ${v.level}${v.clamped ? ' (held by MaxVolumeLimit)' : ''}`));
  on<{ deviceId: string; confirmed: boolean; score: number }>(cloud.events, 'verdict', (v) => {
    if (v.deviceId === link?.deviceId) out(`  ${now()}  the cloud ${v.confirmed ? 'confirmed' : 'did NOT confirm'} the wake word (score ${v.score.toFixed(2)})`);
  });
  if (link) {
    on<{ version: number; boot: boolean }>(link, 'profile-applied', (p) => {
      const room = link.appliedProfile?.desired.roomProfile;
      const what = room ? ` (MaxVolumeLimit ${String(room.MaxVolumeLimit ?? 10)}, time zone ${String(room.Timezone ?? '-')})` : ' (no room profile yet)';
      out(`  ${now()}  ${p.boot ? 're-applied from flash:' : 'applied'} profile version ${p.version}${what}`);
    });
    on<{ version: number; code: string; reason: string }>(link, 'profile-rejected', (r) => out(`  ${now()}  refused profile version ${r.version}: ${r.code} ${r.reason}`));
    on<{ operation: string; status: string }>(link, 'job', (j) => out(`  ${now()}  job ${j.operation}: ${j.status}`));
  }
  return () => offs.splice(0).forEach((off) => off());
}

/**
 * A shell command as lines of at most `columns - 1` characters, indented by `indent` and continued
 * with " \" on lines indented four more (so it still pastes as one command); an option stays on the
 * line of its value. One line when `columns` is undefined (not a terminal) or the command fits.
 */
export function commandLines(words: readonly string[], columns?: number, indent = '  '): string[] {
  const whole = `${indent}${words.join(' ')}`;
  if (columns === undefined || whole.length <= columns - 1) return [whole];
  const units: string[] = [];
  for (const w of words) {
    const last = units.length - 1;
    const prev = units[last];
    if (prev !== undefined && /^--\S+$/.test(prev) && !w.startsWith('--')) units[last] = `${prev} ${w}`;
    else units.push(w);
  }
  const lines: string[] = [];
  let line = '';
  for (const u of units) {
    const candidate = line === '' ? `${indent}${u}` : `${line} ${u}`;
    if (line !== '' && candidate.length + 2 > columns - 1) {
      lines.push(`${line} \\`);
      line = `${indent}    ${u}`;
    } else {
      line = candidate;
    }
  }
  lines.push(line);
  return lines;
}
