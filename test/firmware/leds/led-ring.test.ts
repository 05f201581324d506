import { pino } from 'pino';
import { VirtualClock } from '../../../core/clock.js';
import type { LedFrame, LedRenderer, Rgb } from '../../../hal/leds/types.js';
import { LedRing } from '../../../firmware/leds/led-ring.js';
import { SPIN_PERIOD_MS } from '../../../firmware/leds/patterns.js';
import { VOLUME_OVERLAY_MS } from '../../../firmware/leds/overlays.js';
import { sceneFrame, type RingScene } from '../../../firmware/leds/ring-scene.js';

const BLUE = { r: 0, g: 0, b: 255 };
const CYAN = { r: 0, g: 255, b: 255 };
const RED = { r: 255, g: 0, b: 0 };
const WHITE = { r: 255, g: 255, b: 255 };
const ORANGE = { r: 255, g: 100, b: 0 };
const OFF = { r: 0, g: 0, b: 0 };

/** A renderer that keeps what it is given: the ring's output, checked by value. */
class RecordingRenderer implements LedRenderer {
  frames: LedFrame[] = [];
  closed = 0;
  async render(frame: LedFrame): Promise<void> {
    this.frames.push(frame);
  }
  async close(): Promise<void> {
    this.closed++;
  }
  get last(): LedFrame {
    const f = this.frames.at(-1);
    if (!f) throw new Error('no frame rendered');
    return f;
  }
}

const same = (a: Rgb, b: Rgb): boolean => a.r === b.r && a.g === b.g && a.b === b.b;

function setup(fps?: number): { clock: VirtualClock; ring: LedRing; out: RecordingRenderer } {
  const clock = new VirtualClock();
  const out = new RecordingRenderer();
  const ring = new LedRing({ ledCount: 12, clock, renderers: [out], ...(fps ? { fps } : {}) });
  return { clock, ring, out };
}

describe('LedRing', () => {
  test('start sends the current frame at once; listening at azimuth 90 lights LED 3 cyan on blue', async () => {
    const { clock, ring, out } = setup();
    ring.start();
    await clock.advance(0);
    expect(out.frames).toHaveLength(1);
    expect(out.last.leds).toEqual(Array(12).fill(OFF));
    expect(out.last.label).toBe('off');

    ring.setPattern('listening');
    ring.setDirection(90);
    expect(ring.pattern).toBe('listening');
    await clock.advance(50);
    expect(out.last.at).toBe(50);
    expect(out.last.label).toBe('listening');
    expect(out.last.leds[3]).toEqual(CYAN);
    expect(out.last.leds[9]).toEqual(BLUE);
    expect(out.last.leds.filter((c) => same(c, BLUE))).toHaveLength(9);

    // The talker moves: the segment follows. -90° is 270°, LED 9.
    ring.setDirection(-90);
    await clock.advance(50);
    expect(out.last.leds[9]).toEqual(CYAN);
    expect(out.last.leds[3]).toEqual(BLUE);
    await ring.stop();
  });

  test('a static pattern is sent once, not at every tick; mic-off is all red', async () => {
    const { clock, ring, out } = setup();
    ring.setPattern('mic-off');
    ring.start();
    await clock.advance(5000);
    expect(out.frames).toHaveLength(1);
    expect(out.frames[0]!.leds).toEqual(Array(12).fill(RED));
    await ring.stop();
  });

  test('the frame rate is honoured: 20 fps means frames on a 50 ms grid, 10 fps on a 100 ms grid', async () => {
    for (const [fps, interval] of [[20, 50], [10, 100]] as const) {
      const { clock, ring, out } = setup(fps);
      const emitted: number[] = [];
      ring.on('frame', (f) => emitted.push(f.at));
      ring.setPattern('thinking'); // changes every tick
      ring.start();
      await clock.advance(1000);
      const expected = Array.from({ length: 1000 / interval + 1 }, (_, i) => i * interval);
      expect(out.frames.map((f) => f.at)).toEqual(expected);
      expect(emitted).toEqual(expected);
      await ring.stop();
    }
  });

  test('setup spins clockwise from frame to frame (the orange head goes 0, 11, 10, ...)', async () => {
    const { clock, ring, out } = setup();
    ring.setPattern('setup');
    ring.start();
    await clock.advance(SPIN_PERIOD_MS.setup / 2);
    const heads = out.frames.map((f) => f.leds.findIndex((c) => same(c, ORANGE)));
    const distinct = heads.filter((h, i) => i === 0 || h !== heads[i - 1]);
    expect(distinct.slice(0, 6)).toEqual([0, 11, 10, 9, 8, 7]);
    await ring.stop();
  });

  test('the volume arc shows on top for 1.5 s after the last change, then the pattern comes back', async () => {
    const { clock, ring, out } = setup();
    ring.setPattern('mic-off');
    ring.start();
    await clock.advance(100);
    ring.showVolume(5, 10);
    await clock.advance(50);
    expect(out.last.label).toBe('mic-off+volume');
    expect(out.last.leds.filter((c) => same(c, WHITE))).toHaveLength(6);
    // The privacy red stays visible, dimmed, under the arc.
    expect(out.last.leds[3]).toEqual({ r: 51, g: 0, b: 0 });

    await clock.advance(1000);
    ring.showVolume(6, 10); // a new change restarts the 1.5 s
    await clock.advance(VOLUME_OVERLAY_MS - 50);
    expect(out.last.leds.filter((c) => same(c, WHITE))).toHaveLength(7);
    await clock.advance(100);
    expect(out.last.label).toBe('mic-off');
    expect(out.last.leds).toEqual(Array(12).fill(RED));
    await ring.stop();
  });

  test('the Do-Not-Disturb flash is a single purple flash, then the ring returns to its pattern', async () => {
    const { clock, ring, out } = setup();
    ring.start();
    await clock.advance(50);
    ring.flashDnd();
    await clock.advance(300);
    expect(ring.current().label).toBe('off+dnd');
    expect(out.frames.some((f) => f.leds.every((c) => c.r === 160 && c.g === 0 && c.b === 160))).toBe(true);
    await clock.advance(400);
    expect(out.last.leds).toEqual(Array(12).fill(OFF));
    expect(out.last.label).toBe('off');
    await ring.stop();
  });

  test('current() is the frame for clock.now(), computed without a tick', async () => {
    const { clock, ring } = setup();
    ring.setPattern('call-active');
    await clock.advance(SPIN_PERIOD_MS['call-active'] / 12); // not started: no ticks, but time moves
    const f = ring.current();
    expect(f.at).toBe(SPIN_PERIOD_MS['call-active'] / 12);
    expect(f.leds.findIndex((c) => same(c, { r: 0, g: 255, b: 0 }))).toBe(1);
  });

  test('setting the pattern already shown does not restart its animation', async () => {
    const { clock, ring } = setup();
    ring.setPattern('setup');
    await clock.advance(3 * (SPIN_PERIOD_MS.setup / 12));
    ring.setPattern('setup');
    expect(ring.current().leds.findIndex((c) => same(c, ORANGE))).toBe(9);
    ring.setPattern('booting');
    expect(ring.current().leds.findIndex((c) => same(c, CYAN))).toBe(0);
  });

  test('a failing renderer is logged once and does not stop the others or the ring', async () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    let calls = 0;
    const broken: LedRenderer = {
      render: async () => {
        calls++;
        throw new Error('SPI bus gone');
      },
      close: async () => {
        throw new Error('still gone');
      },
    };
    const good = new RecordingRenderer();
    const ring = new LedRing({ ledCount: 12, clock, renderers: [broken, good], logger });
    ring.setPattern('thinking');
    ring.start();
    await clock.advance(500);
    expect(calls).toBe(11);
    expect(good.frames).toHaveLength(11);
    const errors = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/LED renderer failed/);
    await expect(ring.stop()).resolves.toBeUndefined();
    expect(good.closed).toBe(1);
  });

  test('a slow renderer is never sent overlapping frames; the next free tick sends the latest state', async () => {
    const clock = new VirtualClock();
    const started: LedFrame[] = [];
    let release: (() => void) | undefined;
    let fast = false;
    const slow: LedRenderer = {
      render: (f) => {
        started.push(f);
        return fast ? Promise.resolve() : new Promise<void>((resolve) => (release = resolve));
      },
      close: async () => undefined,
    };
    const ring = new LedRing({ ledCount: 12, clock, renderers: [slow] });
    ring.start();
    ring.setPattern('mic-off');
    await clock.advance(200);
    expect(started).toHaveLength(1); // the first frame (off) is still being written
    release?.();
    await clock.advance(50);
    expect(started).toHaveLength(2);
    expect(started[1]!.at).toBe(250);
    expect(started[1]!.leds[0]).toEqual(RED);
    fast = true;
    release?.();
    await ring.stop();
    expect(started).toHaveLength(3);
  });

  test('stop cancels the tick, sends one all-off frame, closes the renderers once, and is final', async () => {
    const { clock, ring, out } = setup();
    const emitted: LedFrame[] = [];
    ring.on('frame', (f) => emitted.push(f));
    ring.setPattern('error');
    ring.start();
    await clock.advance(120);
    const before = out.frames.length;
    await Promise.all([ring.stop(), ring.stop()]);
    expect(out.frames).toHaveLength(before + 1);
    expect(out.last.leds).toEqual(Array(12).fill(OFF));
    expect(emitted.at(-1)).toEqual(out.last);
    expect(out.closed).toBe(1);
    expect(clock.pending).toBe(0);
    await clock.advance(1000);
    expect(out.frames).toHaveLength(before + 1);
    expect(() => ring.start()).toThrow(expect.objectContaining({ code: 'DEVICE_NOT_RUNNING' }));
  });

  test('bad arguments are refused with LED_FRAME_INVALID', () => {
    const clock = new VirtualClock();
    expect(() => new LedRing({ ledCount: 0, clock, renderers: [] })).toThrow(expect.objectContaining({ code: 'LED_FRAME_INVALID' }));
    expect(() => new LedRing({ ledCount: 12, clock, renderers: [], fps: 0 })).toThrow(expect.objectContaining({ code: 'LED_FRAME_INVALID' }));
    const ring = new LedRing({ ledCount: 12, clock, renderers: [] });
    expect(() => ring.setPattern('disco' as never)).toThrow(expect.objectContaining({ code: 'LED_FRAME_INVALID' }));
    expect(() => ring.setDirection(Number.NaN)).toThrow(expect.objectContaining({ code: 'LED_FRAME_INVALID' }));
    expect(() => ring.showVolume(3, 0)).toThrow(expect.objectContaining({ code: 'LED_FRAME_INVALID' }));
  });
});

describe('a ring nobody watches', () => {
  test('parks its tick with no renderer and no listener, and resumes when a listener arrives', async () => {
    const clock = new VirtualClock();
    const ring = new LedRing({ ledCount: 12, clock, renderers: [] });
    ring.start();
    ring.setPattern('thinking');
    await clock.advance(1000);
    // no timer left: a headless fleet device costs no 20 fps tick
    expect(clock.pending).toBe(0);
    expect(ring.current().label).toBe('thinking');

    const seen: LedFrame[] = [];
    ring.on('frame', (f) => seen.push(f));
    await clock.advance(500);
    // ticking again at 20 fps: the thinking spin changes every frame
    expect(seen.length).toBeGreaterThanOrEqual(9);
    expect(seen.every((f) => f.label === 'thinking')).toBe(true);
    expect(clock.pending).toBe(1);
    await ring.stop();
    expect(clock.pending).toBe(0);
  });

  test('its scene changes are told without waking the tick, and the scene alone gives every frame the ring shows', async () => {
    const clock = new VirtualClock();
    const ring = new LedRing({ ledCount: 12, clock, renderers: [] });
    const scenes: RingScene[] = [];
    ring.on('scene', (s) => scenes.push(s));
    ring.start();
    await clock.advance(100);
    ring.setPattern('thinking');
    ring.setPattern('thinking'); // the same: no change
    ring.setDirection(90);
    ring.setDirection(450); // the same azimuth
    await clock.advance(200);
    ring.showVolume(4, 10);
    await clock.advance(VOLUME_OVERLAY_MS + 100);
    ring.setPattern('listening');
    expect(clock.pending).toBe(0); // still parked
    expect(scenes).toEqual([
      { pattern: 'thinking', since: 100 },
      { pattern: 'thinking', since: 100, direction: 90 },
      { pattern: 'thinking', since: 100, direction: 90, volume: { level: 4, max: 10, until: 300 + VOLUME_OVERLAY_MS } },
      { pattern: 'listening', since: 400 + VOLUME_OVERLAY_MS, direction: 90 }, // the arc was over: gone from the scene
    ]);
    expect(ring.scene).toBe(scenes.at(-1));
    // the frames a renderer gets are the scene's, at their times
    const shown: LedFrame[] = [];
    ring.setPattern('setup');
    const scene = ring.scene;
    ring.on('frame', (f) => shown.push(f));
    await clock.advance(1000);
    expect(shown.length).toBeGreaterThanOrEqual(8);
    for (const f of shown) expect(sceneFrame(scene, f.at, 12)).toEqual({ leds: f.leds, label: f.label });
    await ring.stop();
  });
});
