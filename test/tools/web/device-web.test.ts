import WebSocket from 'ws';
import { VirtualClock } from '../../../core/clock.js';
import { BrowserMic } from '../../../tools/web/browser-mic.js';
import { BATCH_INTERVAL_MS, DeviceWeb } from '../../../tools/web/device-web.js';
import { DeviceServerMessageSchema, type DeviceServerMessage, type DeviceStreamMessage } from '../../../tools/web/protocol/device-socket.js';
import { sceneFrame } from '../../../firmware/leds/ring-scene.js';
import { ArraySource, bootDevice, disposeSharedModels, hex, type TestDevice } from '../../firmware/device/harness.js';
import { waitUntil } from '../../support/mosquitto.js';

/**
 * What a page costs its device (tools/web/device-web.ts, batch-pacer.ts): the device runs on a
 * VirtualClock and so does the wall, so every batch the page gets is one the device's own time
 * sent: the page has no timer of its own. Everything sent is checked against the published schema.
 * The page gets the ring's scene when it changes and draws the frames itself; LED frames go only to
 * a client that subscribes to them.
 */
let td: TestDevice;
let web: DeviceWeb;
let wall: VirtualClock;

beforeAll(async () => {
  td = await bootDevice();
  wall = new VirtualClock();
  web = await DeviceWeb.start({ host: '127.0.0.1', port: 0 }, undefined, wall);
  web.attach(td.device, new BrowserMic(new ArraySource(new Int16Array(0), td.model.micPositions.length)));
}, 60_000);

afterAll(async () => {
  await web?.close();
  await td?.close();
  await disposeSharedModels();
});

class Page {
  readonly received: DeviceServerMessage[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.received.push(DeviceServerMessageSchema.parse(JSON.parse(String(d)))));
  }

  /** A client; `leds`: one that subscribes to LED frames (an LED service), as the page does not. */
  static async open(leds = false): Promise<Page> {
    const ws = new WebSocket(`${web.url.replace(/^http/, 'ws')}ws`);
    const page = new Page(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await waitUntil(() => page.received.some((m) => m.type === 'snapshot'), 'the snapshot');
    if (leds) {
      ws.send(JSON.stringify({ type: 'subscribe', leds: true }));
      await page.sync(); // the subscription is in force
    }
    return page;
  }

  get batches(): DeviceStreamMessage[][] {
    return this.received.flatMap((m) => (m.type === 'batch' ? [m.messages] : []));
  }

  /** Everything the server sent before now has arrived: a bad command's error comes after it on the same socket. */
  async sync(): Promise<void> {
    const errors = this.received.filter((m) => m.type === 'error').length;
    this.ws.send('{');
    await waitUntil(() => this.received.filter((m) => m.type === 'error').length > errors, 'the error');
  }
}

/** Device time and wall time moving together, as on a device hearing its microphone in real time. */
async function pass(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    await wall.advance(10);
    await td.clock.advance(10);
  }
}

test('each batch is one the device time sent: a volume click per interval, a batch per interval, none while device time stands still', async () => {
  const page = await Page.open();
  await page.sync();
  expect(page.batches).toEqual([]);
  for (let i = 0; i < 4; i++) {
    td.device.buttonEdge({ button: 'volume-up', pressed: true });
    await pass(50);
    td.device.buttonEdge({ button: 'volume-up', pressed: false });
    await pass(BATCH_INTERVAL_MS - 50);
  }
  await page.sync();
  const batches = page.batches;
  expect(batches).toHaveLength(4);
  for (const b of batches) expect(b.filter((m) => m.type === 'event' && m.event.type === 'volume')).toHaveLength(1);
  await page.sync(); // device time stood still since: nothing more
  expect(page.batches).toHaveLength(4);
  page.ws.close();
});

test('no LED frame is sent that repeats the last one, and the level only when it changed', async () => {
  const page = await Page.open(true);
  td.device.buttonEdge({ button: 'volume-down', pressed: true });
  await pass(50);
  td.device.buttonEdge({ button: 'volume-down', pressed: false });
  await pass(5000); // the volume arc shows, then the ring goes back to what it was
  await page.sync();
  const messages = page.batches.flat();
  const frames = messages.flatMap((m) => (m.type === 'leds' ? [m.leds.join(' ')] : []));
  expect(frames.length).toBeGreaterThanOrEqual(2);
  for (let i = 1; i < frames.length; i++) expect(frames[i]).not.toBe(frames[i - 1]);
  // Nothing is heard (-120 dBFS): the snapshot said so, and no batch repeats it.
  const snapshot = page.received.find((m) => m.type === 'snapshot');
  const levels = [snapshot?.type === 'snapshot' ? snapshot.level : undefined, ...messages.flatMap((m) => (m.type === 'level' ? [m.dbfs] : []))];
  for (let i = 1; i < levels.length; i++) expect(levels[i]).not.toBe(levels[i - 1]);
  page.ws.close();
});

/** The scene of a `ring` message in the firmware's units (ms), as the page converts it. */
function sceneInMs(s: Extract<DeviceStreamMessage, { type: 'ring' }>['ring']): Parameters<typeof sceneFrame>[0] {
  return {
    pattern: s.pattern,
    since: s.since * 1000,
    direction: s.direction,
    volume: s.volume && { ...s.volume, until: s.volume.until * 1000 },
    dndSince: s.dndSince === undefined ? undefined : s.dndSince * 1000,
  };
}

test('a ring animating with a page open sends nothing between its pattern changes; the scene sent draws the frames the device shows', async () => {
  const page = await Page.open();
  const start = td.clock.now();
  const framesBefore = td.leds.frames.length;
  td.device.leds.setPattern('thinking');
  await pass(3000); // the thinking pulse: a new frame every 50 ms
  await page.sync();
  const shown = td.leds.frames.slice(framesBefore);
  expect(shown.length).toBeGreaterThan(40);
  expect(page.batches).toEqual([[{ type: 'ring', time: start / 1000, ring: { pattern: 'thinking', since: start / 1000 } }]]);
  const ring = page.batches[0]?.[0];
  if (ring?.type !== 'ring') throw new Error('no ring message');
  for (const f of shown) expect(sceneFrame(sceneInMs(ring.ring), f.at, td.model.leds.count).leds.map(hex)).toEqual(f.leds.map(hex));

  td.device.leds.setPattern('off');
  await pass(3000);
  await page.sync();
  expect(page.batches).toHaveLength(2);
  expect(page.batches[1]).toEqual([{ type: 'ring', time: (start + 3000) / 1000, ring: { pattern: 'off', since: (start + 3000) / 1000 } }]);
  page.ws.close();
});

test('a client that subscribes to LED frames gets every frame the ring sends; a page beside it gets none, and unsubscribing stops them', async () => {
  const listeners = td.device.leds.listenerCount('frame');
  const page = await Page.open();
  const service = await Page.open(true);
  expect(td.device.leds.listenerCount('frame')).toBe(listeners + 1);
  const framesBefore = td.leds.frames.length;
  td.device.leds.setPattern('setup'); // an orange head going round
  await pass(1500);
  await Promise.all([page.sync(), service.sync()]);
  const shown = td.leds.frames.slice(framesBefore).map((f) => ({ time: f.at / 1000, leds: f.leds.map(hex) }));
  expect(shown.length).toBeGreaterThanOrEqual(12); // one step a 125 ms
  const frames = service.batches.flat().flatMap((m) => (m.type === 'leds' ? [{ time: m.time, leds: m.leds }] : []));
  const lastBatch = service.received.flatMap((m) => (m.type === 'batch' ? [m.time] : [])).pop() ?? 0;
  expect(frames).toEqual(shown.filter((f) => f.time <= lastBatch)); // those after the last batch wait for the next
  expect(frames.length).toBeGreaterThanOrEqual(10);
  expect(service.batches.flat().filter((m) => m.type === 'ring')).toHaveLength(1);
  expect(page.batches.flat().map((m) => m.type)).toEqual(['ring']);

  service.ws.send(JSON.stringify({ type: 'subscribe', leds: false }));
  await service.sync();
  expect(td.device.leds.listenerCount('frame')).toBe(listeners);
  const batchesBefore = service.batches.length;
  td.device.leds.setPattern('off');
  await pass(1000);
  await service.sync();
  expect(service.batches.slice(batchesBefore).flat().map((m) => m.type)).toEqual(['ring']);
  page.ws.close();
  service.ws.close();
});
