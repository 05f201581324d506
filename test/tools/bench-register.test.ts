/** `bench register` registers a few devices and checks each can log in (no timing is asserted). */
import { runCli } from './run-cli.js';

test('registers devices in process and times their first logins', async () => {
  const res = await runCli(['bench', 'register', '--devices', '5', '--mosquitto', '--json']);
  expect(res.code).toBe(0);
  expect(res.lines[0]).toMatchObject({ devices: 5, mosquitto: true });
  expect(res.lines[0]!.register_s).toBeGreaterThan(0);
});
