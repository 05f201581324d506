/** `bench register` registers a few devices and checks each can log in (no timing is asserted). */
import { runCli } from './run-cli.js';

test('registers devices in process and times their first logins', async () => {
  const res = await runCli(['bench', 'register', '--devices', '5', '--mosquitto', '--json']);
  expect(res.code).toBe(0);
  expect(res.lines[0]).toMatchObject({ devices: 5, mosquitto: true });
  // A figure was measured (register_s is rounded to 10 ms, which five devices can take less than).
  expect(res.lines[0]!.register_ms_per_device).toBeGreaterThan(0);
});
