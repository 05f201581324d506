import { deviceContext } from '../../../firmware/answers/device-context.js';
import { boot, MIN, tempFlash } from '../features/support.js';

/** The context a request carries: the device's timers (time left), shopping list, volume, do-not-disturb. */
const flash = tempFlash();

test('a timer\'s time left is counted on the wall clock its due time is kept in, whatever the device\'s uptime', async () => {
  const { clock, features } = await boot(flash.dir());
  try {
    await clock.advance(3 * MIN); // the monotonic clock and the wall clock differ by the epoch
    await features.timers.add({ durationMs: 5 * MIN });
    await features.lists.add('shopping', 'milk');
    await clock.advance(MIN);
    const context = deviceContext({ clock, features: () => features, speaker: { volume: 4 } });
    expect(context).toMatchObject({ timers: [{ remainingMs: 4 * MIN }], shoppingList: ['milk'], volume: 4, doNotDisturb: false });
  } finally {
    await features.close();
  }
});

test('no context before the features are open', () => {
  const context = deviceContext({
    clock: { wallNow: () => 0 },
    features: () => {
      throw new Error('DEVICE_NOT_RUNNING');
    },
    speaker: { volume: 4 },
  });
  expect(context).toBeUndefined();
});
