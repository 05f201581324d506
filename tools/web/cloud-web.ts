import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { AuthThrottle } from '../../cloud-link/cloud/auth/auth-throttle.js';
import { addressSource } from '../../cloud-link/cloud/auth/client-source.js';
import type { Cloud } from '../../cloud-link/cloud/cloud.js';
import { CloudClientCommandSchema, type CloudClientCommand, type CloudServerMessage } from './protocol/cloud-socket.js';
import { AUTH_TIMEOUT_MS } from './protocol/limits.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';
import { SystemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { CLOSE_POLICY, ClientSocket } from './client-socket.js';
import { FleetView } from './fleet-view.js';
import type { ListenAddress } from './listen-address.js';
import { runCommand } from './cloud-commands.js';
import { ledCountOf, ringThumbnail } from './ring-thumbnail.js';
import { WebServer } from './web-server.js';

/**
 * Changed rows are gathered this long, then read (SearchDevices filtered by their serials, 50 a query)
 * and sent as one `devices` message holding each changed row once: a room of 1,000 devices applying a
 * profile is a few reads a second, not 2,000, and never a listing of the whole fleet (that is sent
 * only as a client's snapshot).
 */
export const ROW_FLUSH_MS = 1000;
/** Ring thumbnails of the rows in view are recomputed this often. */
export const RING_TICK_MS = 200;

interface Client {
  socket: ClientSocket<CloudClientCommand>;
  authed: boolean;
  /** Closes the socket if no valid credentials come in time. */
  deadline?: ReturnType<typeof setTimeout>;
  view: Set<string>;
  /** The last thumbnail sent per device, to send only changes. */
  rings: Map<string, string>;
}

export interface CloudWebOptions {
  log?: Logger;
  /** Times the row flushes and ring ticks (tests pass a VirtualClock); default the system's. */
  clock?: Clock;
}

/**
 * The cloud page (`echosim cloud --web`) and its WebSocket API. A client must first send `auth` with
 * the admin token, checked behind a login back-off like the HTTP API's; until then it is sent
 * nothing. Then: a snapshot of the fleet, rooms and profiles; changed rows gathered every
 * ROW_FLUSH_MS (presence, profile sync, jobs, registrations); ring thumbnails of the rows the client
 * says are in view. With no authenticated client nothing is listened to but the devices' reported
 * states (one Map entry per device), so a cloud nobody watches pays nothing.
 */
export class CloudWeb {
  private readonly clients = new Set<Client>();
  private readonly view: FleetView;
  private readonly throttle: AuthThrottle;
  private readonly since = new Map<string, number>();
  private readonly types = new Map<string, string>();
  /** Rooms the clients know of: a row in another room (made since) sends the rooms again. */
  private knownRooms = new Set<string>();
  private dirty = new Set<string>();
  private flushTimer: TimerHandle | undefined;
  private ringTimer: TimerHandle | undefined;
  private readonly detach: Array<() => void> = [];
  private watching: Array<() => void> = [];
  private server!: WebServer;

  private constructor(
    private readonly cloud: Cloud,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.throttle = new AuthThrottle({ clock });
    this.view = new FleetView(cloud);
    const onTelemetry = (t: { deviceId: string; kind: string; message: Record<string, unknown> }): void => {
      if (t.kind !== 'state' || typeof t.message.to !== 'string') return;
      this.view.states.set(t.deviceId, t.message.to as DeviceState);
      this.since.set(t.deviceId, this.clock.now());
      if (this.clients.size > 0) this.touch(t.deviceId);
    };
    cloud.events.on('telemetry', onTelemetry);
    this.detach.push(() => cloud.events.off('telemetry', onTelemetry));
  }

  static async start(cloud: Cloud, address: ListenAddress, options: CloudWebOptions = {}): Promise<CloudWeb> {
    const log = options.log ?? rootLogger().child({ component: 'cloud-web' });
    const web = new CloudWeb(cloud, log, options.clock ?? new SystemClock());
    try {
      web.server = await WebServer.start({ ...address, pages: { '/': 'cloud.html', '/cloud.js': 'cloud.js' }, onSocket: (ws, req) => web.connect(ws, req), log });
    } catch (err) {
      web.detach.forEach((d) => d());
      throw err;
    }
    return web;
  }

  get url(): string {
    return this.server.url;
  }

  async close(): Promise<void> {
    this.stopWatching();
    this.detach.forEach((d) => d());
    await this.server.close();
  }

  private connect(ws: WebSocket, req: IncomingMessage): void {
    const client: Client = {
      authed: false,
      view: new Set(),
      rings: new Map(),
      socket: new ClientSocket(ws, CloudClientCommandSchema, {
        command: (c) => void this.command(client, c, req),
        close: () => {
          clearTimeout(client.deadline);
          this.clients.delete(client);
          if (this.clients.size === 0) this.stopWatching();
        },
      }),
    };
    client.deadline = setTimeout(() => client.socket.close(CLOSE_POLICY, 'no credentials'), AUTH_TIMEOUT_MS);
    client.deadline.unref();
  }

  private async command(client: Client, c: CloudClientCommand, req: IncomingMessage): Promise<void> {
    if (!client.authed) {
      if (c.type !== 'auth') return client.socket.close(CLOSE_POLICY, 'authenticate first');
      if (!this.authenticate(client, c.token, req)) return;
      client.authed = true;
      clearTimeout(client.deadline);
      this.clients.add(client);
      if (this.clients.size === 1) this.startWatching();
      await this.sendSnapshot(client);
      return;
    }
    switch (c.type) {
      case 'auth':
        return;
      case 'view':
        client.view = new Set(c.deviceIds);
        for (const id of client.rings.keys()) if (!client.view.has(id)) client.rings.delete(id);
        this.sendRings(client);
        return;
      default: {
        const result = await runCommand(this.cloud, c);
        client.socket.send(result);
        if (c.type === 'apply-profile' && result.ok) await this.sendRooms();
      }
    }
  }

  /** The admin token, behind the back-off: a refused or wrong attempt closes the socket. */
  private authenticate(client: Client, token: string, req: IncomingMessage): boolean {
    const admission = this.throttle.admit(`web:${addressSource(req.socket.remoteAddress)}`);
    if (!admission.admitted) {
      client.socket.error('WEB_RATE_LIMITED', `too many wrong admin tokens; retry in ${Math.ceil(admission.retryAfterMs / 1000)} s`);
      client.socket.close(CLOSE_POLICY, 'throttled');
      return false;
    }
    let ok: boolean;
    try {
      ok = this.cloud.service.verifyAdminToken(token);
    } catch {
      admission.cancel();
      ok = false;
    }
    if (!ok) {
      admission.failed();
      this.log.info({ address: req.socket.remoteAddress }, 'cloud page: wrong admin token');
      client.socket.error('WEB_UNAUTHORIZED', 'the admin token is not valid');
      client.socket.close(CLOSE_POLICY, 'unauthorized');
      return false;
    }
    admission.succeeded();
    return true;
  }

  private async sendSnapshot(client: Client): Promise<void> {
    const [devices, rooms, profiles] = [await this.view.all(), await this.view.rooms(), await this.view.profiles()];
    for (const d of devices) this.types.set(d.deviceId, d.deviceType);
    for (const r of rooms) this.knownRooms.add(r.arn);
    client.socket.send({ type: 'snapshot', protocol: 1, devices, rooms, profiles } satisfies CloudServerMessage);
  }

  private async sendRooms(): Promise<void> {
    const rooms = await this.view.rooms();
    this.knownRooms = new Set(rooms.map((r) => r.arn));
    this.broadcast({ type: 'rooms', rooms, profiles: await this.view.profiles() });
  }

  /** Listens to what changes a row while someone watches. */
  private startWatching(): void {
    const ev = this.cloud.events;
    const svc = this.cloud.service.events;
    const touch = (e: { deviceId: string }): void => this.touch(e.deviceId);
    const removed = (e: { deviceId: string }): void => this.broadcast({ type: 'removed', deviceIds: [e.deviceId] });
    for (const name of ['presence', 'profile-applied', 'profile-rejected', 'job-updated'] as const) {
      ev.on(name, touch);
      this.watching.push(() => ev.off(name, touch));
    }
    for (const name of ['desired-changed', 'device-registered'] as const) {
      svc.on(name, touch);
      this.watching.push(() => svc.off(name, touch));
    }
    svc.on('device-deregistered', removed);
    this.watching.push(() => svc.off('device-deregistered', removed));
    this.tickRings();
  }

  /** Sends the rows in view their changed thumbnails every RING_TICK_MS while someone watches. */
  private tickRings(): void {
    this.ringTimer = this.clock.setTimeout(() => {
      for (const c of this.clients) if (c.view.size > 0) this.sendRings(c);
      this.tickRings();
    }, RING_TICK_MS);
  }

  private stopWatching(): void {
    this.watching.forEach((off) => off());
    this.watching = [];
    if (this.ringTimer) this.clock.clearTimeout(this.ringTimer);
    if (this.flushTimer) this.clock.clearTimeout(this.flushTimer);
    this.ringTimer = this.flushTimer = undefined;
    this.dirty.clear();
  }

  /** Marks a row changed: however often it changes before the next flush, it is read and sent once. */
  private touch(deviceId: string): void {
    this.dirty.add(deviceId);
    this.flushTimer ??= this.clock.setTimeout(() => void this.flush(), ROW_FLUSH_MS);
  }

  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const ids = [...this.dirty];
    this.dirty = new Set();
    if (ids.length === 0 || this.clients.size === 0) return;
    try {
      const devices = await this.view.rows(ids);
      for (const d of devices) this.types.set(d.deviceId, d.deviceType);
      this.broadcast({ type: 'devices', devices });
      if (devices.some((d) => d.roomArn !== undefined && !this.knownRooms.has(d.roomArn))) await this.sendRooms();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cloud page: rows not refreshed');
    }
  }

  private sendRings(client: Client): void {
    const now = this.clock.now();
    const rings: Array<{ deviceId: string; leds: string[] }> = [];
    for (const id of client.view) {
      const state = this.view.states.get(id);
      if (!state) continue;
      const leds = ringThumbnail(state, now - (this.since.get(id) ?? now), ledCountOf(this.types.get(id) ?? ''));
      const key = leds.join('');
      if (client.rings.get(id) === key) continue;
      client.rings.set(id, key);
      rings.push({ deviceId: id, leds });
    }
    if (rings.length > 0) client.socket.send({ type: 'rings', rings } satisfies CloudServerMessage, true);
  }

  private broadcast(message: CloudServerMessage): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const c of this.clients) c.socket.sendText(text);
  }
}
