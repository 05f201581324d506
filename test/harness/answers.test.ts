/**
 * Example: the cloud answers. "Alexa, <command>" through the whole pipeline (device, MQTT, the cloud's
 * recognizer and voice), then what the device does: SPEAKING, the intent event, a timer that rings on
 * device time, the volume through the button path, a spoken "Sorry" for speech outside the grammar, the
 * room's calendar booked and freed by voice, and a link lost while THINKING (the error tone, then ready).
 * The command audio is a held-out voice (test/fixtures/commands, flite rms) after a fixture's "Alexa".
 */
import { readFileSync } from 'node:fs';
import { disposeModels, readWav, startSimulation, type HarnessAudio, type Simulation } from '../../tools/harness/index.js';
import { PocketsphinxRecognizer } from '../../cloud-link/cloud/speech/command-recognizer.js';

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
/** pocketsphinx is a test dependency (tools/setup.sh installs it): without it these tests fail and say so. */
beforeAll(() => {
  const missing = new PocketsphinxRecognizer().unavailable();
  if (missing) throw missing;
});

/** p01's lead-in and "Alexa" (labels.tsv: it ends at 1.7308 s), 150 ms of its gap, then the command. */
async function alexaThen(command: string): Promise<HarnessAudio> {
  const labels = readFileSync(`${FIXTURES}wakeword/pos/labels.tsv`, 'utf8');
  const end = Number(/^p01-\S+\t[\d.]+\t([\d.]+)/m.exec(labels)![1]);
  const wake = await readWav(`${FIXTURES}wakeword/pos/p01-flite-slt-clean.wav`);
  const cmd = await readWav(`${FIXTURES}commands/${command}`);
  const head = wake.samples.subarray(0, Math.round((end + 0.15) * 16000));
  const out = new Int16Array(head.length + cmd.samples.length);
  out.set(head);
  out.set(cmd.samples, head.length);
  return { samples: out, channels: 1 };
}

let sim: Simulation | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});
afterAll(async () => {
  await disposeModels();
});

test('"Alexa, set a timer for thirty seconds": spoken answer, a timer on the device that rings 30 s later', async () => {
  sim = await startSimulation({ devices: 1, assistant: true });
  const echo = sim.device('device-1');
  await echo.play(await alexaThen('flite-rms-04.wav'), { quietBeforeMs: 500, quietAfterMs: 1500 });
  const intent = await echo.waitFor({ event: 'intent', after: 0 });
  expect(intent).toMatchObject({ name: 'SetTimer', slots: { durationSeconds: 30 } });
  expect(intent.latencyMs).not.toBeNull();
  await echo.waitFor('IDLE');
  expect(echo.transitions().map((t) => t.to)).toEqual(expect.arrayContaining(['LISTENING', 'THINKING', 'SPEAKING', 'IDLE']));
  expect(echo.of('directive')).toEqual([expect.objectContaining({ type: 'SetTimer', ok: true })]);
  expect(echo.of('sound').map((s) => s.label)).toContain('response');
  // the device reports the timer to its shadow
  await sim.cloud.waitFor(() => (sim!.cloud.reported('device-1')?.device?.TimerCount ?? 0) === 1, { advance: false });
  expect(sim.cloud.reported('device-1')?.device?.Timers).toEqual([{ Id: expect.any(String), DueAt: expect.any(Number) }]);
  await echo.advance(31_000);
  const ring = await echo.waitFor({ event: 'notification', after: 0, match: (n) => n.kind === 'timer' && n.action === 'ringing' });
  expect(ring.kind).toBe('timer');
});

test('"Alexa, set the volume to four" goes through the button path; out-of-grammar speech is answered "Sorry"', async () => {
  sim = await startSimulation({ devices: 1, assistant: true });
  const echo = sim.device('device-1');
  await echo.play(await alexaThen('flite-rms-17.wav'), { quietBeforeMs: 500, quietAfterMs: 1500 });
  await echo.waitFor({ event: 'intent', after: 0 });
  await echo.waitFor('IDLE');
  expect(echo.of('intent')[0]).toMatchObject({ name: 'SetVolume', slots: { level: 4 } });
  expect(echo.of('volume').at(-1)).toMatchObject({ level: 4 });
  expect(echo.of('sound').map((s) => s.label)).toContain('volume'); // the buttons' earcon

  const mark = echo.mark;
  await echo.play(await alexaThen('flite-rms-33.wav'), { quietBeforeMs: 500, quietAfterMs: 1500 }); // "what's the weather like today"
  const none = await echo.waitFor({ event: 'intent', after: mark });
  expect(none.name).toBe('NoMatch');
  await echo.waitFor('IDLE');
  expect(echo.of('directive')).toHaveLength(1); // only the volume: a no-match does nothing
  expect(echo.of('sound').filter((s) => s.label === 'response')).toHaveLength(1); // "Sorry, I don't know that one"
});

test('"Alexa, book this room for half an hour" books the room the device is in; "end the meeting" frees it', async () => {
  sim = await startSimulation({ devices: 1, assistant: true });
  const echo = sim.device('device-1');
  const profile = { ProfileName: 'Rooms', Timezone: 'UTC', Address: '1 Example Street', DistanceUnit: 'METRIC', TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA' };
  const { roomArn } = await sim.cloud.roomWithProfile(profile, { roomName: 'Everest', devices: ['device-1'] });
  const bookings = async (): Promise<Array<Record<string, unknown>>> => (await sim!.cloud.call('ListBookings', { RoomArn: roomArn })).Bookings as Array<Record<string, unknown>>;

  await echo.play(await alexaThen('flite-rms-27.wav'), { quietBeforeMs: 500, quietAfterMs: 1500 }); // "book this room for half an hour"
  expect(await echo.waitFor({ event: 'intent', after: 0 })).toMatchObject({ name: 'BookRoom', slots: { minutes: 30 } });
  await echo.waitFor('IDLE');
  const [booked] = await bookings();
  expect(booked).toMatchObject({ Title: 'Instant booking', Status: 'CHECKED_IN', Source: 'VOICE' });
  expect(Number(booked!.EndTime) - Number(booked!.StartTime)).toBe(1800);
  expect(echo.of('sound').map((s) => s.label)).toContain('response'); // "Okay, this room is yours for 30 minutes, ..."

  const mark = echo.mark;
  await echo.play(await alexaThen('flite-rms-31.wav'), { quietBeforeMs: 500, quietAfterMs: 1500 }); // "end the meeting"
  expect(await echo.waitFor({ event: 'intent', after: mark })).toMatchObject({ name: 'EndMeeting' });
  await echo.waitFor('IDLE');
  expect(await bookings()).toEqual([expect.objectContaining({ Status: 'ENDED' })]);
});

test('the link drops while THINKING: the error tone, back to IDLE when it returns, and the next request is answered', async () => {
  sim = await startSimulation({ devices: 1, assistant: true });
  const echo = sim.device('device-1');
  const cloud = sim.cloud.cloud;
  // The outage begins the moment the request has been sent: the device is THINKING, the answer not yet made.
  echo.once('stream-end', () => void cloud.stopBroker());
  const first = await echo.play(await alexaThen('flite-rms-04.wav'), { // "set a timer for thirty seconds"
    quietBeforeMs: 500,
    quietAfterMs: 2000,
    until: { event: 'state', match: (s) => s.from === 'THINKING' && s.input === 'LINK_DOWN' },
  });
  expect(first).toMatchObject({ status: 'paused', state: 'CONNECTING' });
  expect(echo.of('sound').map((s) => s.label)).toContain('error');

  // "When it returns" means both ends: the device back to IDLE and the cloud's own client connected
  // again (its session keeps its subscriptions). Audio streamed before the cloud is back is lost, as it
  // would be with any MQTT cloud, and the second request would be judged on silence.
  const cloudBack = new Promise<void>((resolve) => {
    const onLink = (e: { state: string }): void => {
      if (e.state !== 'connected') return;
      cloud.events.off('broker-link', onLink);
      resolve();
    };
    cloud.events.on('broker-link', onLink);
  });
  await cloud.startBroker();
  await echo.waitFor('IDLE');
  await cloudBack;
  await first.resume();
  const mark = echo.mark;
  await echo.play(await alexaThen('flite-rms-17.wav'), { quietBeforeMs: 500, quietAfterMs: 1500 }); // "set the volume to four"
  expect(await echo.waitFor({ event: 'intent', after: mark })).toMatchObject({ name: 'SetVolume', slots: { level: 4 } });
  await echo.waitFor('IDLE');
  const states = echo.transitions().map((t) => t.to);
  expect(states.slice(states.indexOf('THINKING'))).toEqual(['THINKING', 'CONNECTING', 'IDLE', 'LISTENING', 'THINKING', 'IDLE']);
  expect(echo.of('sound').filter((s) => s.label === 'error')).toHaveLength(1);
  expect(echo.of('directive')).toEqual([expect.objectContaining({ type: 'SetVolume', ok: true })]); // the lost timer was never set
});
