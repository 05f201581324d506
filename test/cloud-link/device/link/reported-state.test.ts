import { deviceInfo } from '../../../../cloud-link/device/link/reported-state.js';
import { DeviceInfoSchema } from '../../../../cloud-link/protocol/shadow.js';
import type { DeviceControl } from '../../../../firmware/device/device-control.js';

/** The device facts the link reports are what the contract accepts, whatever the device's clock gives. */
test("a timer set at a fractional ms of device time (a virtual clock) is reported with a whole-ms due time", () => {
  const timers = [{ id: 'timer-1', durationMs: 30_000, dueAt: 1_767_603_630_450.625, createdAt: 1_767_603_600_450.625 }];
  // the parts of a DeviceControl that deviceInfo reads
  const device = {
    model: { id: 'echo-dot-3' },
    volume: 5,
    microphonesOn: true,
    features: { settings: { get: () => ({ deviceName: 'Echo', doNotDisturb: false }) }, timers: { list: () => timers } },
  } as unknown as DeviceControl;
  const info = deviceInfo(device, '1.0.0');
  expect(info.Timers).toEqual([{ Id: 'timer-1', DueAt: 1_767_603_630_451 }]);
  expect(DeviceInfoSchema.safeParse(info).success).toBe(true);
});
