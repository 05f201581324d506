/**
 * Example: the whole simulation over TLS, written only against the public harness API. The cloud
 * makes its CA and server certificate; every device verifies the broker against that CA, as a real
 * one given ca.pem does.
 */
import { disposeModels, startSimulation, type Simulation } from '../../tools/harness/index.js';

let sim: Simulation | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});
afterAll(async () => {
  await disposeModels();
});

test('with tls, devices reach the cloud over mqtts, verify its CA and apply a room profile', async () => {
  sim = await startSimulation({ devices: 1, tls: true, http: true, verification: false });
  expect(sim.cloud.brokerUrl).toMatch(/^mqtts:\/\//);
  expect(sim.cloud.apiUrl).toMatch(/^https:\/\//);
  expect(sim.cloud.caFile).toMatch(/tls\/ca\.pem$/);
  const [echo] = sim.devices;
  await sim.cloud.roomWithProfile({ ProfileName: 'Secure room', Timezone: 'Europe/Berlin', Address: '1 Example Street', DistanceUnit: 'METRIC', TemperatureUnit: 'CELSIUS', WakeWord: 'ALEXA', MaxVolumeLimit: 4 }, { devices: [echo!.id] });
  const reported = await echo!.waitForSync();
  expect(reported.profileVersion).toBe(sim.cloud.desiredVersion(echo!.id));
  expect(reported.roomProfile).toMatchObject({ MaxVolumeLimit: 4 });
});
