import { EventEmitter } from 'node:events';
import type { DeviceState } from '../../../cloud-link/protocol/device-states.js';
import { AnswerHold } from '../../../tools/runtime/answer-hold.js';

/** A device whose state the test moves, and a link whose connection it sets. */
class FakeDevice extends EventEmitter {
  state: DeviceState = 'IDLE';
  move(to: DeviceState): void {
    this.state = to;
    this.emit('state');
  }
}

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
};

test('device time is held while THINKING with the link up, until the device leaves THINKING', async () => {
  const device = new FakeDevice();
  const hold = new AnswerHold({ device, link: { connected: true } }, 60_000);
  expect(await settled(hold.beforeStep())).toBe(true); // IDLE: nothing to wait for
  device.move('THINKING');
  const step = hold.beforeStep();
  expect(await settled(step)).toBe(false);
  device.move('SPEAKING');
  expect(await settled(step)).toBe(true);
  hold.close();
  expect(device.listenerCount('state')).toBe(0);
});

test('not held when the link is down: no answer can come', async () => {
  const device = new FakeDevice();
  const hold = new AnswerHold({ device, link: { connected: false } }, 60_000);
  device.move('THINKING');
  expect(await settled(hold.beforeStep())).toBe(true);
  hold.close();
});

test('an answer later than the bound is given up for that request only', async () => {
  const device = new FakeDevice();
  const hold = new AnswerHold({ device, link: { connected: true } }, 1);
  device.move('THINKING');
  await hold.beforeStep(); // waits 1 ms of real time, then gives up
  expect(await settled(hold.beforeStep())).toBe(true); // the same request: not held again
  device.move('IDLE');
  device.move('THINKING');
  expect(await settled(hold.beforeStep())).toBe(false); // the next request is held again
  device.move('IDLE');
  hold.close();
});
