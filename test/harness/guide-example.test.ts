/** The complete example of docs/harness.md, verbatim (but for the import path): the guide must keep working. */
import { DEMO_WAV, disposeModels, frameHex, startSimulation, type Simulation } from '../../tools/harness/index.js';

let sim: Simulation | undefined;
afterEach(async () => {
  await sim?.stop(); // closes every port and socket, removes every file
  sim = undefined;
});
afterAll(async () => {
  await disposeModels(); // the models are loaded once per process and shared by all simulations
});

test('a meeting room profile caps the volume, and "Alexa, ..." is heard, verified and kept', async () => {
  sim = await startSimulation({ devices: 1 }); // echo-dot-3 "device-1", registered and connected
  const echo = sim.device('device-1');

  // Flash a room profile through the A4B operations; wait until the device reports it runs it.
  await sim.cloud.roomWithProfile(
    { ProfileName: 'Boardroom', Timezone: 'Europe/Berlin', Address: '1 Example Street', DistanceUnit: 'METRIC',
      TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA', MaxVolumeLimit: 6, DataRetentionOptIn: true, DataRetention: 'KEEP' },
    { devices: [echo.id] },
  );
  const reported = await echo.waitForSync();
  expect(reported.roomProfile?.MaxVolumeLimit).toBe(6);
  expect(echo.snapshot().maxVolume).toBe(6);

  // Play the bundled utterance; pause the moment the device listens and look at the ring.
  const paused = await echo.play(DEMO_WAV, { until: 'LISTENING' });
  expect(paused.at).toBe(2000); // device time is audio time: the wake word ends at 2.0 s
  expect(echo.leds().label).toBe('listening');
  expect(frameHex(echo.leds())[0]).toBe('#00ffff'); // cyan segment on a blue ring

  await paused.resume(); // to the end of the audio, then until the device has settled
  expect(echo.transitions().slice(-3).map((t) => t.to)).toEqual(['LISTENING', 'THINKING', 'IDLE']);

  // The cloud confirmed the wake word and kept the recording: id and size, never the audio.
  await sim.cloud.waitFor({ event: 'utterance', after: 0, match: (u) => u.deviceId === echo.id });
  const [recording] = await sim.cloud.recordings(echo.id);
  expect(recording).toEqual({ id: expect.any(String), bytes: expect.any(Number) });
});
