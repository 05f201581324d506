/**
 * A room profile's WakeWord, end to end: the device switches its spotter without a restart, reports
 * the word, wakes on it when espeak-ng says it, and the cloud verifies the word the device spotted.
 */
import { startSimulation } from '../../tools/harness/index.js';
import { MEETING_ROOM, simulationPerTest } from './room-fixture.js';
import { makeHeadsDir } from '../support/test-heads.js';

const ROOM = { ...MEETING_ROOM, ProfileName: 'Wake words' };
const run = simulationPerTest();

// The mechanism, before the project's own heads exist: "computer" is a copy of the bundled alexa head
// (so espeak-ng's "Alexa" wakes it) with its own verifier (the same head, its own grey zone), so the
// verdict shows which word's second stage judged it.
test('switching the room to COMPUTER: the device switches, reports it, wakes on it, and the cloud verifies "computer" (tools/setup.sh installs espeak-ng)', async () => {
  const heads = makeHeadsDir([{ word: 'computer', wakeWord: 'COMPUTER', from: 'alexa', verifier: { from: 'alexa', high: 0.9, low: 0.5, patience: 2 } }]);
  run.onStop = heads.remove;
  const sim = run.sim = await startSimulation({ devices: 1, headsDir: heads.dir });
  const [echo] = sim.devices;
  const { profileArn } = await sim.cloud.roomWithProfile(ROOM, { devices: [echo!.id] });
  await echo!.waitForSync();

  await echo!.say('Alexa, what time is it?');
  const first = echo!.of('stream-start');
  expect(first.map((s) => s.keyword)).toEqual(['alexa']);
  const alexaVerdict = await sim.cloud.waitFor({ event: 'verdict', after: 0, match: (v) => v.deviceId === echo!.id && v.utteranceId === first[0]!.id });
  expect(alexaVerdict).toMatchObject({ confirmed: true, threshold: 0.95 });

  await sim.cloud.call('UpdateProfile', { ProfileArn: profileArn, WakeWord: 'COMPUTER' });
  const reported = await echo!.waitForSync();
  expect(reported.roomProfile?.WakeWord).toBe('COMPUTER');
  expect(echo!.of('wake-word')).toEqual([expect.objectContaining({ keywords: ['computer'], wakeWord: 'COMPUTER', previous: ['alexa'], deferred: false })]);
  expect(echo!.reported()?.device).toMatchObject({ WakeWord: 'COMPUTER' });

  const mark = echo!.of('stream-start').length;
  const heard = await echo!.say('Alexa, what time is it?');
  expect(heard.state).toBe('IDLE');
  const [second] = echo!.of('stream-start').slice(mark);
  // The pre-roll and stream contract are the same after the switch.
  expect(second).toMatchObject({ keyword: 'computer', preRoll: { complete: true }, wakeWordIndices: { startIndexInSamples: 8000 } });
  const verdict = await sim.cloud.waitFor({ event: 'verdict', after: 0, match: (v) => v.deviceId === echo!.id && v.utteranceId === second!.id });
  // computer's own verifier (high 0.9) judged it, not alexa's rule (0.95).
  expect(verdict).toMatchObject({ confirmed: true, threshold: 0.9 });
  expect(echo!.of('cloud-late')).toEqual([]);
});

// Every word the project ships (issue 14 part A: models/wakeword/heads/<word>/). Disabled until those
// heads are merged: the lead enables this describe then (describe.skip -> describe).
describe.skip('every shipped wake word wakes the device in espeak-ng\'s default voice, and the cloud confirms it', () => {
  test.each(['ALEXA', 'AMAZON', 'ECHO', 'COMPUTER'])('%s', async (wakeWord) => {
    const sim = run.sim = await startSimulation({ devices: 1 });
    const [echo] = sim.devices;
    await sim.cloud.roomWithProfile({ ...ROOM, WakeWord: wakeWord }, { devices: [echo!.id] });
    expect((await echo!.waitForSync()).roomProfile?.WakeWord).toBe(wakeWord);
    const word = wakeWord.toLowerCase();
    const heard = await echo!.say(`${word[0]!.toUpperCase()}${word.slice(1)}, what time is it?`);
    expect(heard.state).toBe('IDLE');
    const [start] = echo!.of('stream-start');
    expect(start?.keyword).toBe(sim.registry.forWakeWord(wakeWord)?.keyword);
    const verdict = await sim.cloud.waitFor({ event: 'verdict', after: 0, match: (v) => v.deviceId === echo!.id && v.utteranceId === start!.id });
    expect(verdict.confirmed).toBe(true);
    expect(echo!.transitions().map((t) => t.to).slice(-3)).toEqual(['LISTENING', 'THINKING', 'IDLE']);
  });
});
