/** The example test in the README, word for word (only the import path differs), so the README stays true. */
import { DEMO_WAV, disposeModels, startSimulation } from '../../tools/harness/index.js';

afterAll(async () => {
  await disposeModels();
});

test('the demo utterance is heard, verified, and the device goes back to idle', async () => {
  const sim = await startSimulation({ devices: 1 });   // echo-dot-3 "device-1", registered and connected
  const echo = sim.device('device-1');
  await echo.play(DEMO_WAV);                            // the full pipeline, on device time: fast and repeatable
  await echo.waitFor('IDLE');
  expect(echo.transitions().map((t) => t.to)).toEqual(expect.arrayContaining(['LISTENING', 'THINKING', 'IDLE']));
  await sim.stop();                                     // no ports or files left behind
});
