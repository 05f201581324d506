import { VirtualClock } from '../../../core/clock.js';
import { JsonEventsRenderer, type LedsEvent } from '../../../hal/leds/events.js';
import type { LedFrame } from '../../../hal/leds/types.js';

const frame = (at: number, r: number, label?: string): LedFrame => ({
  at,
  leds: [{ r, g: 0x10, b: 0xab }, { r: 0, g: 0, b: 0 }],
  ...(label ? { label } : {}),
});

function collect(): { events: LedsEvent[]; sink: (e: LedsEvent) => void } {
  const events: LedsEvent[] = [];
  return { events, sink: (e) => void events.push(e) };
}

describe('JsonEventsRenderer', () => {
  test("emits { type: 'leds', at, leds: ['#rrggbb', ...] } with the frame's own time", async () => {
    const { events, sink } = collect();
    const r = new JsonEventsRenderer(sink);
    await r.render(frame(1234.5, 255, 'mic-off'));
    await r.render({ at: 2000, leds: [{ r: 300, g: -1, b: 7.6 }] });
    expect(events).toEqual([
      { type: 'leds', at: 1234.5, leds: ['#ff10ab', '#000000'], pattern: 'mic-off' },
      { type: 'leds', at: 2000, leds: ['#ff0008'] },
    ]);
    expect(JSON.parse(JSON.stringify(events[1]))).toEqual({ type: 'leds', at: 2000, leds: ['#ff0008'] });
  });

  test('throttles to one event per minIntervalMs; a held frame goes out on the next render after the interval', async () => {
    const { events, sink } = collect();
    const r = new JsonEventsRenderer(sink, { minIntervalMs: 250 });
    await r.render(frame(0, 1));
    await r.render(frame(50, 2)); // held
    await r.render(frame(100, 3)); // replaces the held frame
    expect(events.map((e) => e.at)).toEqual([0]);
    await r.render(frame(250, 4)); // interval passed: the newest state goes out
    await r.render(frame(300, 5)); // held
    await r.render(frame(499, 6)); // still within 250 ms of 250: held
    await r.render(frame(520, 6)); // the next call after the interval, same look as the held frame
    expect(events.map((e) => [e.at, e.leds[0]])).toEqual([
      [0, '#0110ab'],
      [250, '#0410ab'],
      [520, '#0610ab'],
    ]);
  });

  test('unchanged frames are never repeated, and a change that reverts before the interval is dropped', async () => {
    const { events, sink } = collect();
    const r = new JsonEventsRenderer(sink, { minIntervalMs: 250 });
    await r.render(frame(0, 1));
    await r.render(frame(1000, 1));
    await r.render(frame(1100, 2));
    expect(events).toHaveLength(2);
    await r.render(frame(1200, 3)); // held
    await r.render(frame(1300, 2)); // back to the last emitted: nothing pending any more
    await r.close();
    expect(events.map((e) => e.at)).toEqual([0, 1100]);
  });

  test('the final state is never lost: close flushes a held frame', async () => {
    const { events, sink } = collect();
    const r = new JsonEventsRenderer(sink, { minIntervalMs: 250 });
    await r.render(frame(0, 1));
    await r.render(frame(10, 0, 'off'));
    await r.close();
    await r.render(frame(900, 7));
    expect(events.map((e) => [e.at, e.pattern])).toEqual([[0, undefined], [10, 'off']]);
  });

  test('with a clock, a held frame is flushed when the interval ends even if no other frame comes', async () => {
    const clock = new VirtualClock();
    const { events, sink } = collect();
    const r = new JsonEventsRenderer(sink, { minIntervalMs: 250, clock });
    await r.render(frame(0, 1));
    await clock.advance(40);
    await r.render(frame(40, 2));
    await clock.advance(209);
    expect(events).toHaveLength(1);
    await clock.advance(1);
    expect(events.map((e) => e.at)).toEqual([0, 40]);
    expect(clock.pending).toBe(0);
    await r.close();
    expect(events).toHaveLength(2);
  });

  test('a negative interval is refused', () => {
    expect(() => new JsonEventsRenderer(() => undefined, { minIntervalMs: -1 })).toThrow(expect.objectContaining({ code: 'LED_FRAME_INVALID' }));
  });
});
