import { measureMqttLoad } from '../../../tools/bench/mqtt-load.js';

/**
 * `bench mqtt` puts the same MQTT load on the embedded broker whichever way its clients connect: every
 * setup delivers the devices' messages to the cloud's client and counts the CPU. No timing is asserted.
 */
test.each([
  ['socket', 'socket'],
  ['in-memory', 'socket'],
  ['in-memory', 'in-memory'],
] as const)('devices over %s, the cloud over %s: messages delivered and CPU counted', async (deviceLink, cloudLink) => {
  const r = await measureMqttLoad({ devices: 3, deviceLink, cloudLink, seconds: 1, warmupSeconds: 0 });
  expect(r).toMatchObject({ devices: 3, device_link: deviceLink, cloud_link: cloudLink });
  expect(r.delivered).toBeGreaterThan(0);
  expect(r.main_us_per_message).toBeGreaterThan(0);
  expect(r.process_us_per_message).toBeGreaterThanOrEqual(r.main_us_per_message * 0.5);
});
