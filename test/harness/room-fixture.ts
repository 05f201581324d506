/**
 * What the harness examples share: a meeting-room profile, and one simulation per test, stopped after
 * it with whatever the test made for it (e.g. a heads folder).
 */
import { disposeModels, type Simulation } from '../../tools/harness/index.js';

export const MEETING_ROOM = {
  ProfileName: 'Meeting rooms',
  Timezone: 'Europe/Berlin',
  Address: '1 Example Street, Berlin',
  DistanceUnit: 'METRIC',
  TemperatureUnit: 'CELSIUS',
  WakeWord: 'ALEXA',
  MaxVolumeLimit: 7,
  SetupModeDisabled: true,
  PSTNEnabled: false,
};

/** Registers the hooks: `run.sim` is stopped and `run.onStop` called after each test; the models are released at the end. */
export function simulationPerTest(): { sim: Simulation | undefined; onStop: (() => void) | undefined } {
  const run: { sim: Simulation | undefined; onStop: (() => void) | undefined } = { sim: undefined, onStop: undefined };
  afterEach(async () => {
    await run.sim?.stop();
    run.sim = undefined;
    run.onStop?.();
    run.onStop = undefined;
  });
  afterAll(async () => {
    await disposeModels();
  });
  return run;
}
