import type { Cloud } from '../../cloud-link/cloud/cloud.js';
import { audioSeconds } from '../device-events.js';
import type { DeviceSession } from '../device-session.js';

type Listener = (payload: never) => void;
interface Emitter {
  on(name: string, listener: Listener): unknown;
  off(name: string, listener: Listener): unknown;
}

/**
 * The demo's running commentary: what the device does (device time, seconds of audio) and what the
 * cloud says about it. Returns a function that removes every listener it added.
 */
export function narrate(session: DeviceSession, cloud: Cloud, out: (line: string) => void): () => void {
  const { device, link } = session;
  const at = (ms: number): string => `${audioSeconds(ms).toFixed(2).padStart(7)} s`;
  const now = (): string => at(device.clock.now());
  const offs: Array<() => void> = [];
  function on<P>(emitter: unknown, name: string, listener: (payload: P) => void): void {
    const e = emitter as Emitter;
    e.on(name, listener as Listener);
    offs.push(() => e.off(name, listener as Listener));
  }

  on<{ from: string; to: string; input: string; at: number }>(device, 'state', (t) => out(`  ${at(t.at)}  ${t.from} -> ${t.to} (${t.input})`));
  on<{ keyword: string; score: number; accepted: boolean }>(device, 'detection', (d) => {
    if (d.accepted) out(`  ${now()}  wake word "${d.keyword}" (score ${d.score.toFixed(2)}): the ring lights up`);
  });
  on<{ preRoll: { availableSamples: number }; at: number }>(device, 'stream-start', (s) =>
    out(`  ${at(s.at)}  streaming to the cloud, from ${s.preRoll.availableSamples / 16} ms before the wake word`),
  );
  on<{ reason: string; at: number }>(device, 'stream-end', (e) => out(`  ${at(e.at)}  stream closed: ${e.reason}`));
  on<{ reason: string; at: number }>(device, 'false-wake', (f) => out(`  ${at(f.at)}  the cloud did not confirm the wake word: ${f.reason}`));
  on<{ level: number; clamped: boolean }>(device, 'volume', (v) => out(`  ${now()}  volume ${v.level}${v.clamped ? ' (held by MaxVolumeLimit)' : ''}`));
  on<{ deviceId: string; confirmed: boolean; score: number }>(cloud.events, 'verdict', (v) => {
    if (v.deviceId === link?.deviceId) out(`  ${now()}  the cloud ${v.confirmed ? 'confirmed' : 'did NOT confirm'} the wake word (score ${v.score.toFixed(2)})`);
  });
  if (link) {
    on<{ version: number; boot: boolean }>(link, 'profile-applied', (p) => {
      const room = link.appliedProfile?.desired.roomProfile;
      const what = room ? ` (MaxVolumeLimit ${String(room.MaxVolumeLimit ?? 10)}, time zone ${String(room.Timezone ?? '-')})` : '';
      out(`  ${now()}  ${p.boot ? 're-applied from flash:' : 'applied'} profile version ${p.version}${what}`);
    });
    on<{ version: number; code: string; reason: string }>(link, 'profile-rejected', (r) => out(`  ${now()}  refused profile version ${r.version}: ${r.code} ${r.reason}`));
    on<{ operation: string; status: string }>(link, 'job', (j) => out(`  ${now()}  job ${j.operation}: ${j.status}`));
  }
  return () => offs.splice(0).forEach((off) => off());
}
