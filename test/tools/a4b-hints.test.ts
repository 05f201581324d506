/** The slips new users make with `echosim a4b`, answered with what to write instead. */
import { parseA4bArgs } from '../../tools/commands/a4b.js';
import { openHarness } from '../cloud-link/cloud/a4b/helpers.js';

test('a file name without file:// is refused with the file:// form', () => {
  expect(() => parseA4bArgs(['create-profile', '--cli-input-json', 'room.json'], () => '')).toThrow(
    expect.objectContaining({ code: 'CLI_ARGUMENT_INVALID', message: expect.stringContaining('looks like a file name'), hint: expect.stringContaining('file://room.json') }),
  );
  // inline JSON still works
  expect(parseA4bArgs(['create-room', '--cli-input-json', '{"RoomName":"x"}'], () => '').input).toEqual({ RoomName: 'x' });
});

test('a serial number where a device ARN belongs names the ARN to use', async () => {
  const h = openHarness();
  try {
    await h.call('RegisterDevice', { DeviceSerialNumber: 'kitchen-1', DeviceType: 'echo-dot-3', DeviceName: 'Kitchen' });
    await expect(h.call('GetDevice', { DeviceArn: 'kitchen-1' })).rejects.toMatchObject({
      name: 'NotFoundException',
      message: expect.stringMatching(/"kitchen-1" is not an ARN \(did you mean arn:aws:a4b:[^:]+:\d+:device\/kitchen-1\?\)/),
    });
  } finally {
    h.cleanup();
  }
});
