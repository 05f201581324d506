import { readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { DeviceServerMessageSchema } from '../../../tools/web/protocol/device-socket.js';
import { staleWsSchemaFiles } from '../../../tools/web/protocol/export-ws-schemas.js';
import { MAX_AUDIO_MESSAGE_BYTES, MAX_COMMAND_BYTES } from '../../../tools/web/protocol/limits.js';
import { startCliProcess, type CliProcess } from '../../support/browser.js';

/**
 * The device socket as a program (an LED or button service) uses it: `ws` against `echosim device
 * --web`, every message checked against the published schema, and every bound tried.
 */
let device: CliProcess;
let port: number;

interface Client {
  ws: WebSocket;
  /** Every stream message, out of its batch. */
  messages: Array<Record<string, unknown>>;
  /** What came on the socket: the snapshot, then batches. */
  batches: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  until(match: (m: Record<string, unknown>) => boolean, limitMs?: number): Promise<Record<string, unknown>>;
}

function connect(headers: Record<string, string> = {}): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
  const messages: Array<Record<string, unknown>> = [];
  const batches: Array<Record<string, unknown>> = [];
  ws.on('message', (d, binary) => {
    expect(binary).toBe(false); // never audio
    const m = JSON.parse(String(d)) as Record<string, unknown>;
    const parsed = DeviceServerMessageSchema.safeParse(m);
    if (!parsed.success) throw new Error(`message outside the schema: ${String(d)}: ${parsed.error.message}`);
    batches.push(m);
    if (m.type === 'batch') messages.push(...(m.messages as Array<Record<string, unknown>>));
    else messages.push(m);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const until = async (match: (m: Record<string, unknown>) => boolean, limitMs = 20_000): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const hit = messages.find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no such message; got ${messages.map((m) => String(m.type)).join(' ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, batches, closed, until }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  device = startCliProcess(['device', '--offline', '--mic', 'synthetic:silence', '--web', '0', '--leds', 'none', '--buttons', 'none']);
  port = Number((await device.waitFor(/the device page is at http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
}, 60_000);

afterAll(async () => {
  await device?.stop();
});

test('the published JSON Schemas match the sources', () => {
  expect(staleWsSchemaFiles()).toEqual([]);
});

test("a snapshot first, then the ring's scene changes, levels as numbers and status; LED frames once subscribed", async () => {
  const c = await connect();
  const first = await c.until(() => true);
  expect(first).toMatchObject({ type: 'snapshot', protocol: 2, model: { id: 'echo-dot-3', ledCount: 12 }, micOn: true, ledFps: 20, ring: { pattern: 'off' } });
  await c.until((m) => m.type === 'level' && typeof m.dbfs === 'number');
  c.ws.send(JSON.stringify({ type: 'subscribe', leds: true }));
  c.ws.send(JSON.stringify({ type: 'button', button: 'volume-up', pressed: true }));
  c.ws.send(JSON.stringify({ type: 'button', button: 'volume-up', pressed: false }));
  await c.until((m) => m.type === 'status' && (m.volume as { level: number }).level === 6);
  await c.until((m) => m.type === 'ring' && (m.ring as { volume?: { level: number } }).volume?.level === 6); // the volume arc, as the page draws it
  await c.until((m) => m.type === 'leds'); // and its frames, to the subscriber
  c.ws.close();
});

test("audio sent on the socket wakes the device; the ring turns to listening; a subscriber's frames come in batches at its 20 fps", async () => {
  const c = await connect();
  await c.until((m) => m.type === 'snapshot');
  c.ws.send(JSON.stringify({ type: 'subscribe', leds: true }));
  const wav = readFileSync(path.join(process.cwd(), 'test', 'fixtures', 'demo', 'alexa-demo.wav')).subarray(44); // 16 kHz mono s16le
  for (let i = 0; i < wav.length; i += MAX_AUDIO_MESSAGE_BYTES) c.ws.send(wav.subarray(i, Math.min(wav.length, i + MAX_AUDIO_MESSAGE_BYTES) & ~1));
  const detection = await c.until((m) => m.type === 'event' && (m.event as { type: string }).type === 'detection');
  expect(detection.event).toMatchObject({ keyword: 'alexa', accepted: true });
  await c.until((m) => m.type === 'ring' && (m.ring as { pattern: string }).pattern === 'listening');
  // THINKING pulses: frames a few times a second in batches, each with its device time, 50 ms apart
  await c.until(() => c.batches.some((b) => b.type === 'batch' && (b.messages as Array<{ type: string }>).filter((m) => m.type === 'leds').length >= 3));
  const batch = c.batches.find((b) => b.type === 'batch' && (b.messages as Array<{ type: string }>).filter((m) => m.type === 'leds').length >= 3);
  const times = (batch?.messages as Array<{ type: string; time: number }>).filter((m) => m.type === 'leds').map((m) => m.time);
  for (let i = 1; i < times.length; i++) expect(Math.round(((times[i] ?? 0) - (times[i - 1] ?? 0)) * 1000) % 50).toBe(0);
  c.ws.close();
});

test('a page from another site, or a Host that is not this machine, is refused at the handshake', async () => {
  await expect(connect({ Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
  await expect(connect({ Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` })).rejects.toThrow('HTTP 421');
  const same = await connect({ Origin: `http://127.0.0.1:${port}` });
  same.ws.close();
});

test('bad commands get an error and change nothing; the socket stays open', async () => {
  const c = await connect();
  await c.until((m) => m.type === 'snapshot');
  c.ws.send('x'.repeat(MAX_COMMAND_BYTES + 1));
  c.ws.send('{not json');
  c.ws.send(JSON.stringify({ type: 'button', button: 'self-destruct', pressed: true }));
  c.ws.send(JSON.stringify({ type: 'reboot' }));
  c.ws.send(Buffer.alloc(3)); // odd: not s16le
  await c.until(() => c.messages.filter((m) => m.type === 'error').length === 5);
  const errors = c.messages.filter((m) => m.type === 'error');
  expect(errors.map((e) => e.code)).toEqual(['WEB_COMMAND_INVALID', 'WEB_COMMAND_INVALID', 'WEB_COMMAND_INVALID', 'WEB_COMMAND_INVALID', 'WEB_AUDIO_INVALID']);
  expect(String(errors[0]?.message)).toContain(`at most ${MAX_COMMAND_BYTES} bytes`);
  // a button the model lacks goes the hardware path and is refused there
  c.ws.send(JSON.stringify({ type: 'button', button: 'call', pressed: true }));
  const refused = await c.until((m) => m.type === 'event' && (m.event as { type: string }).type === 'refused');
  expect(refused.event).toMatchObject({ code: 'BUTTON_UNKNOWN' });
  expect(c.ws.readyState).toBe(WebSocket.OPEN);
  c.ws.close();
});

test('an audio frame above the limit is cut off at its header (1009); a full queue is refused', async () => {
  const big = await connect();
  big.ws.send(Buffer.alloc(MAX_AUDIO_MESSAGE_BYTES + 2));
  expect((await big.closed).code).toBe(1009);
  const c = await connect();
  for (let i = 0; i < 25; i++) c.ws.send(Buffer.alloc(MAX_AUDIO_MESSAGE_BYTES)); // 12.5 s at once
  const full = await c.until((m) => m.type === 'error' && m.code === 'WEB_AUDIO_QUEUE_FULL');
  expect(String(full.message)).toContain('10 s');
  const level = await c.until((m) => m.type === 'level' && (m.queuedMs as number) > 9000);
  expect(level.queuedMs).toBeLessThanOrEqual(10_000);
  c.ws.send(JSON.stringify({ type: 'audio-reset' }));
  await c.until((m) => m.type === 'level' && m.queuedMs === 0);
  c.ws.close();
});

test('a client flooding commands is cut off (1008)', async () => {
  const c = await connect();
  for (let i = 0; i < 300; i++) c.ws.send(JSON.stringify({ type: 'audio-reset' }));
  expect(await c.closed).toMatchObject({ code: 1008, reason: 'rate limit' });
});

test('a client that goes away holding a button lets go of it', async () => {
  const watcher = await connect();
  const c = await connect();
  await c.until((m) => m.type === 'snapshot'); // the server is up before the device: commands wait for it
  await new Promise<void>((resolve) => c.ws.send(JSON.stringify({ type: 'button', button: 'action', pressed: true }), () => resolve()));
  await new Promise((r) => setTimeout(r, 300));
  c.ws.terminate();
  const up = await watcher.until((m) => m.type === 'event' && (m.event as { type: string; action: string }).type === 'button' && (m.event as { action: string }).action === 'click');
  expect(up.event).toMatchObject({ button: 'action' });
  watcher.ws.close();
});
