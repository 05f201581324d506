import { EventEmitter } from 'node:events';
import { openLeds } from '../../../hal/leds/open.js';
import type { LedsEvent } from '../../../hal/leds/events.js';
import { alive, fakeGpioset } from '../gpio/fake-gpioset.js';
import { FakeSpiBus } from './fake-spi-bus.js';

const gpio = fakeGpioset();
afterEach(() => gpio.reset());
afterAll(() => gpio.cleanup());

const RED_FRAME = { at: 0, leds: [{ r: 255, g: 0, b: 0 }, { r: 0, g: 0, b: 0 }], label: 'mic-off' };

describe('openLeds', () => {
  test("'none' is no renderers; an unknown kind is a usage error", async () => {
    expect(await openLeds('none', { ledCount: 12 })).toEqual([]);
    await expect(openLeds('disco' as never, { ledCount: 12 })).rejects.toMatchObject({ code: 'CLI_ARGUMENT_INVALID' });
  });

  test("'terminal' draws on the given stream", async () => {
    const writes: string[] = [];
    const stream = Object.assign(new EventEmitter(), { isTTY: false, write: (s: string) => writes.push(s) > 0 });
    const [r, ...rest] = await openLeds('terminal', { ledCount: 2, stream });
    expect(rest).toHaveLength(0);
    await r!.render(RED_FRAME);
    await r!.close();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain('\x1b[38;2;255;0;0m●');
    expect(writes[0]).toContain('mic-off');
  });

  test("'events' sends JSON events to the sink", async () => {
    const events: LedsEvent[] = [];
    const [r] = await openLeds('events', { ledCount: 2, eventSink: (e) => void events.push(e) });
    await r!.render(RED_FRAME);
    expect(events).toEqual([{ type: 'leds', at: 0, leds: ['#ff0000', '#000000'], pattern: 'mic-off' }]);
  });

  test("'apa102' defaults to SPI 0.1 at 8 MHz with power on gpiochip0 line 5, and releases both on close", async () => {
    const bus = new FakeSpiBus();
    const [r] = await openLeds('apa102', { ledCount: 2, spiModule: bus, gpioEnv: gpio.env('1.6.3'), brightness: 7 });
    expect(bus.opened).toEqual([{ bus: 0, device: 1, options: { mode: 0, maxSpeedHz: 8_000_000 } }]);
    expect(gpio.calls()).toEqual([]); // powered only when the first frame comes

    await r!.render(RED_FRAME);
    const [on] = gpio.calls();
    expect(on?.args).toEqual(['--mode=signal', 'gpiochip0', '5=1']);
    expect(alive(on!.pid)).toBe(true);
    expect(bus.sent).toEqual([0, 0, 0, 0, 0xe7, 0, 0, 255, 0xe7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);

    await r!.close();
    const [, off] = gpio.calls();
    expect(off?.args).toEqual(['--mode=signal', 'gpiochip0', '5=0']);
    expect(alive(on!.pid)).toBe(false);
    expect(alive(off!.pid)).toBe(false); // the low holder is not left running
    expect(bus.closed).toBe(1);
  });

  test("'apa102' with another SPI device and no power pin", async () => {
    const bus = new FakeSpiBus();
    const [r] = await openLeds('apa102', { ledCount: 1, spiModule: bus, spi: { bus: 1, device: 0, speedHz: 2_000_000 }, powerPin: null, gpioEnv: gpio.env('2.0') });
    await r!.render({ at: 0, leds: [{ r: 1, g: 2, b: 3 }] });
    await r!.close();
    expect(bus.opened[0]).toEqual({ bus: 1, device: 0, options: { mode: 0, maxSpeedHz: 2_000_000 } });
    expect(bus.calls[0]![0]!.speedHz).toBe(2_000_000);
    expect(gpio.calls()).toEqual([]);
  });

  test("'apa102' without gpioset fails at open with GPIO_UNAVAILABLE and closes the SPI device again", async () => {
    const bus = new FakeSpiBus();
    await expect(openLeds('apa102', { ledCount: 12, spiModule: bus, gpioEnv: { PATH: '/nonexistent' } })).rejects.toMatchObject({
      code: 'GPIO_UNAVAILABLE',
      hint: expect.stringContaining('sudo apt install gpiod'),
    });
    expect(bus.closed).toBe(1);
  });
});
