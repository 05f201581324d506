import type { WebSocket } from 'ws';
import { DeviceClientCommandSchema, type DeviceClientCommand, type DeviceEvent, type DeviceServerMessage, type DeviceStreamMessage } from './protocol/device-socket.js';
import { MAX_BUFFERED_BYTES, SNAPSHOT_EVENT_HISTORY } from './protocol/limits.js';
import type { ButtonName } from '../../hal/buttons/types.js';
import type { Device } from '../../firmware/device/device.js';
import { isEchosimError } from '../../core/errors.js';
import type { LedFrame } from '../../hal/leds/types.js';
import { rgbHex } from '../../hal/leds/types.js';
import type { RingScene } from '../../firmware/leds/ring-scene.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { attachJsonEvents, audioSeconds } from '../device-events.js';
import type { BrowserMic } from './browser-mic.js';
import { ClientSocket } from './client-socket.js';
import { MessageBatch } from './message-batch.js';
import type { ListenAddress } from './listen-address.js';
import { WebServer } from './web-server.js';
import { BatchPacer } from './batch-pacer.js';
import { SystemClock, type Clock } from '../../core/clock.js';
import { deviceSnapshot, deviceStatus, sceneMessage } from './device-view.js';
import { PAGE_MODULES } from './browser-modules.js';
import { LevelGate } from './level-gate.js';

/**
 * How often what happened goes to the page, in one message, ms of device time (nothing is sent when
 * nothing happened); the input level is read once a batch. LED frames, for a client that subscribed,
 * carry their time, to be played out at the ring's pace.
 */
export const BATCH_INTERVAL_MS = 250;
/** A batch with nothing in it but a changed input level goes out at most this often, ms of device time (level-gate.ts). */
export const LEVEL_INTERVAL_MS = 500;
/** What is waiting goes out after this long (wall time) even if the device's audio, and so its time, stops. */
export const STALL_FLUSH_MS = 1000;

const STATUS_EVENTS = new Set(['state', 'microphones', 'volume']);

interface Client {
  socket: ClientSocket<DeviceClientCommand>;
  /** Buttons this client holds down: released if it goes away mid-press. */
  held: Set<ButtonName>;
  /** The first batched message this client gets (its snapshot holds what came before). */
  from: number;
  /** It asked for every LED frame (`subscribe`): an LED service. The page draws frames from the scene. */
  leds: boolean;
}

interface Attached {
  device: Device;
  mic: BrowserMic | undefined;
  detach: () => void;
  pacer: BatchPacer;
}

type LevelMessage = Extract<DeviceStreamMessage, { type: 'level' }>;

/**
 * The device page (`echosim device --web`, `echosim demo`) and its WebSocket API: each client gets
 * a snapshot, then the ring's scene changes (pattern, overlays: the page draws the frames with the
 * firmware's own code, so a steadily animating ring costs no socket write), status changes, the input
 * level when it changed and the device's events, in a batch every BATCH_INTERVAL_MS of device time
 * when anything happened (batch-pacer.ts: the page sets no timer of its own while the device hears
 * audio). A client that subscribes to LED frames (an LED service) gets every frame the ring sends as
 * well; while none does, the ring's tick stays parked as it is with no page. Button edges from a client go to
 * `device.buttonEdge`, the same path a GPIO or keyboard driver takes (debounce, click and hold);
 * binary frames go into the BrowserMic. The server outlives a device (a reboot job starts a new
 * one): `attach` each device as it starts.
 */
export class DeviceWeb {
  private readonly clients = new Set<Client>();
  private readonly history: DeviceEvent[] = [];
  private attached: Attached | undefined;
  private watching = false;
  /** LED frames are taken from the device: some client subscribed to them. */
  private framing = false;
  /** When the input level goes out: when it changed, alone at most every LEVEL_INTERVAL_MS. */
  private readonly level = new LevelGate(LEVEL_INTERVAL_MS);
  private readonly batch = new MessageBatch<DeviceStreamMessage>();
  private readonly onLeds = (f: LedFrame): void => this.broadcast({ type: 'leds', time: audioSeconds(f.at), leds: f.leds.map(rgbHex) }, true);
  private readonly onScene = (s: RingScene): void => {
    const time = this.attached ? audioSeconds(this.attached.device.clock.now()) : 0;
    this.broadcast({ type: 'ring', time, ring: sceneMessage(s) });
  };

  private constructor(
    private readonly server: WebServer,
    private readonly log: Logger,
    private readonly wall: Clock,
  ) {}

  /** `wall` is the clock of the stall guard and the `--fast` limit (batch-pacer.ts); tests give a VirtualClock. */
  static async start(address: ListenAddress, log: Logger = rootLogger().child({ component: 'device-web' }), wall: Clock = new SystemClock()): Promise<DeviceWeb> {
    let web: DeviceWeb | undefined;
    const server = await WebServer.start({
      ...address,
      pages: { '/': 'device.html', '/device.js': 'device.js', '/mic-worklet.js': 'mic-worklet.js' },
      modules: PAGE_MODULES,
      onSocket: (ws) => web?.connect(ws),
      log,
    });
    web = new DeviceWeb(server, log, wall);
    return web;
  }

  get url(): string {
    return this.server.url;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Shows and drives `device` (and feeds `mic`, when the page may talk to it). Returns the detacher. */
  attach(device: Device, mic?: BrowserMic): () => void {
    this.detachDevice();
    this.history.length = 0;
    const stopEvents = attachJsonEvents(device, (e) => this.onEvent(e as DeviceEvent));
    const pacer = new BatchPacer({ device: device.clock, wall: this.wall, intervalMs: BATCH_INTERVAL_MS, stallMs: STALL_FLUSH_MS, flush: () => this.flush() });
    this.attached = { device, mic, detach: stopEvents, pacer };
    if (this.clients.size > 0) this.watch(true);
    for (const c of this.clients) this.sendSnapshot(c);
    return () => this.detachDevice(device);
  }

  async close(): Promise<void> {
    this.detachDevice();
    await this.server.close();
  }

  private detachDevice(device?: Device): void {
    const a = this.attached;
    if (!a || (device && a.device !== device)) return;
    this.watch(false);
    for (const c of this.clients) this.release(c);
    a.detach();
    this.attached = undefined;
  }

  /** Scenes, levels and batches are produced only while someone watches. */
  private watch(on: boolean): void {
    const a = this.attached;
    if (on && a && !this.watching) {
      this.watching = true;
      a.device.leds.on('scene', this.onScene);
      a.pacer.start();
    } else if (!on && this.watching) {
      this.watching = false;
      a?.device.leds.off('scene', this.onScene);
      a?.pacer.stop();
      this.batch.clear();
      this.level.reset();
    }
    this.takeFrames();
  }

  /** LED frames are taken from the ring only while a client subscribes to them: with no other renderer, its tick parks again when they go. */
  private takeFrames(): void {
    const a = this.attached;
    const want = this.watching && [...this.clients].some((c) => c.leds);
    if (want && a && !this.framing) a.device.leds.on('frame', this.onLeds);
    else if (!want && this.framing) a?.device.leds.off('frame', this.onLeds);
    this.framing = want && a !== undefined;
  }

  private connect(ws: WebSocket): void {
    const client: Client = {
      held: new Set(),
      from: this.batch.next,
      leds: false,
      socket: new ClientSocket(ws, DeviceClientCommandSchema, {
        command: (c) => this.command(client, c),
        binary: (data) => this.audio(client, data),
        close: () => {
          this.release(client);
          this.clients.delete(client);
          if (this.clients.size === 0) this.watch(false);
          else this.takeFrames();
        },
      }),
    };
    this.clients.add(client);
    if (this.clients.size === 1) this.watch(true);
    this.sendSnapshot(client);
  }

  private sendSnapshot(client: Client): void {
    if (!this.attached) return;
    client.from = this.batch.next;
    const { device, mic } = this.attached;
    const snapshot = deviceSnapshot(device, mic, this.dbfs(this.attached), this.history);
    // A lone client's batches start from the level its snapshot gave.
    if (this.clients.size === 1) this.level.reset({ dbfs: snapshot.level, queuedMs: mic?.queuedMs ?? 0 });
    client.socket.send(snapshot);
  }

  private command(client: Client, c: DeviceClientCommand): void {
    if (c.type === 'subscribe') {
      client.leds = c.leds;
      return this.takeFrames();
    }
    const a = this.attached;
    if (!a) return client.socket.error('DEVICE_NOT_RUNNING', 'the device is not running (rebooting?)');
    switch (c.type) {
      case 'button':
        if (c.pressed) client.held.add(c.button);
        else client.held.delete(c.button);
        a.device.buttonEdge({ button: c.button, pressed: c.pressed });
        return;
      case 'audio-reset':
        a.mic?.reset();
        return;
    }
  }

  private audio(client: Client, data: Buffer): void {
    const mic = this.attached?.mic;
    if (!mic) return client.socket.error('WEB_AUDIO_INVALID', 'this device takes no audio from the page');
    try {
      mic.push(data);
    } catch (err) {
      if (!isEchosimError(err)) throw err;
      client.socket.error(err.code, err.message);
    }
  }

  /** A client that goes away with a button down lets go of it, as a finger would. */
  private release(client: Client): void {
    const device = this.attached?.device;
    for (const button of client.held) device?.buttonEdge({ button, pressed: false });
    client.held.clear();
  }

  private onEvent(e: DeviceEvent): void {
    this.history.push(e);
    if (this.history.length > SNAPSHOT_EVENT_HISTORY) this.history.shift();
    if (this.clients.size === 0) return;
    this.broadcast({ type: 'event', event: e });
    if (STATUS_EVENTS.has(e.type) && this.attached) this.broadcast({ type: 'status', ...deviceStatus(this.attached.device) });
  }

  /** The input level for a batch going out now (level-gate.ts), or nothing. `alongside`: the batch goes out anyway. */
  private levelNow(alongside: boolean): LevelMessage | undefined {
    const a = this.attached;
    if (!a) return undefined;
    const now = a.device.clock.now();
    const level = this.level.take(now, { dbfs: this.dbfs(a), queuedMs: a.mic?.queuedMs ?? 0 }, alongside);
    return level && { type: 'level', time: audioSeconds(now), ...level };
  }

  /**
   * The input level in whole dB (what the page shows), null while the microphones are off. A quiet
   * room's level then stays put, and a steady ring with it costs no socket write at all.
   */
  private dbfs(a: Attached): number | null {
    return a.device.microphonesOn && a.mic ? Math.round(a.mic.level) : null;
  }

  private broadcast(message: DeviceStreamMessage, droppable = false): void {
    if (this.clients.size === 0) return;
    this.batch.push(message, droppable);
    this.attached?.pacer.pending();
  }

  /**
   * One `batch` per client with what it has not seen (LED frames only to those that subscribed); a
   * client slow to read gets no LED frames or levels until it catches up.
   */
  private flush(): void {
    // Every client gets a batch anyway when something other than LED frames waits (those go to subscribers only).
    const level = this.levelNow(this.batch.some((m) => m.type !== 'leds'));
    if (level) this.batch.push(level, true);
    const pending = this.batch.take();
    if (pending.length === 0 || !this.attached) return;
    const time = audioSeconds(this.attached.device.clock.now());
    for (const c of this.clients) {
      const slow = c.socket.ws.bufferedAmount > MAX_BUFFERED_BYTES;
      const messages = pending.filter((p) => p.seq >= c.from && !(slow && p.droppable) && (c.leds || p.message.type !== 'leds')).map((p) => p.message);
      if (messages.length > 0) c.socket.send({ type: 'batch', time, messages } satisfies DeviceServerMessage);
    }
  }
}
