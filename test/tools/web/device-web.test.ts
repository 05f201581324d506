import WebSocket from 'ws';
import { VirtualClock } from '../../../core/clock.js';
import { BrowserMic } from '../../../tools/web/browser-mic.js';
import { BATCH_INTERVAL_MS, DeviceWeb } from '../../../tools/web/device-web.js';
import { DeviceServerMessageSchema, type DeviceServerMessage, type DeviceStreamMessage } from '../../../tools/web/protocol/device-socket.js';
import { ArraySource, bootDevice, disposeSharedModels, type TestDevice } from '../../firmware/device/harness.js';
import { waitUntil } from '../../support/mosquitto.js';

/**
 * What a page costs its device (tools/web/device-web.ts, batch-pacer.ts): the device runs on a
 * VirtualClock and so does the wall, so every batch the page gets is one the device's own time
 * sent: the page has no timer of its own. Everything sent is checked against the published schema.
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

  static async open(): Promise<Page> {
    const ws = new WebSocket(`${web.url.replace(/^http/, 'ws')}ws`);
    const page = new Page(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await waitUntil(() => page.received.some((m) => m.type === 'snapshot'), 'the snapshot');
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
  const page = await Page.open();
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
