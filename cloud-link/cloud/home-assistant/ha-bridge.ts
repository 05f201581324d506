import type { Logger } from '../../../core/log.js';
import type { CloudEventBus, CloudEvents } from '../mqtt/cloud-events.js';
import { HA_ROOT, parseHaCommandTopic, type HaCommand } from '../../protocol/home-assistant-topics.js';
import { HA_STATUS_TOPIC, discoveryDocument, discoveryTopic, haStateTopic, haWakeTopic, type HaDevice, type HaOrigin } from './discovery.js';
import { MAX_HA_COMMAND_BYTES, commandFor } from './ha-commands.js';

/** The part of the cloud's MQTT client the bridge uses. */
export interface HaClient {
  publishOther(topic: string, payload: string | Buffer, options: { qos: 0 | 1; retain: boolean }): Promise<void>;
  subscribeAlso(filter: string): Promise<void>;
}

/** A running timer as the device reported it. */
export interface HaTimer {
  readonly label?: string;
  /** ISO 8601. */
  readonly dueAt: string;
}

/** What the device last reported about itself (shadow `reported.device`). */
export interface HaReported {
  readonly volume?: number;
  readonly micOff?: boolean;
  readonly doNotDisturb?: boolean;
  readonly timerCount?: number;
  readonly timers?: readonly HaTimer[];
}

export interface HomeAssistantBridgeOptions {
  readonly client: HaClient;
  readonly bus: CloudEventBus;
  readonly origin: HaOrigin;
  /** Every registered device, now. */
  readonly devices: () => Promise<HaDevice[]>;
  readonly reported: (deviceId: string) => HaReported;
  /** Runs a command from Home Assistant as the API's SendDeviceCommand would (it validates). */
  readonly command: (deviceId: string, command: Record<string, unknown>) => Promise<void>;
  readonly log: Logger;
}

interface HaState {
  state: string;
  micOff: boolean;
  volume: number | null;
  doNotDisturb: boolean;
  timerCount: number;
  timers: HaTimer[];
}

/**
 * Publishes Home Assistant discovery for every registered device, from the cloud (devices may not
 * publish outside their own topics): at start, again whenever Home Assistant announces itself
 * online on `homeassistant/status` (its birth message), for a device when it is registered; a
 * deregistered device's document is replaced by an empty retained message, which removes it from
 * Home Assistant. Each device's state (from its telemetry and its reported shadow) is kept on its
 * retained state topic, and each wake word is an event. Commands from Home Assistant (its broker
 * user may publish only on `echosim/v1/ha/{id}/set/{command}`) become SendDeviceCommand calls: the
 * API's validation and the same job a script's or the API's command becomes.
 */
export class HomeAssistantBridge {
  private readonly states = new Map<string, HaState>();
  private readonly detach: Array<() => void> = [];

  constructor(private readonly o: HomeAssistantBridgeOptions) {}

  async start(): Promise<void> {
    const on = <K extends keyof CloudEvents>(name: K, f: (p: CloudEvents[K][0]) => void): void => {
      const l = f as (...args: CloudEvents[K]) => void;
      this.o.bus.on(name, l as never);
      this.detach.push(() => this.o.bus.off(name, l as never));
    };
    on('telemetry', (t) => {
      if (t.kind === 'state' && typeof t.message.to === 'string') this.update(t.deviceId, { state: t.message.to, micOff: t.message.to === 'MIC_OFF' });
      if (t.kind === 'wake') void this.send(haWakeTopic(t.deviceId), { event_type: 'wake_word', keyword: String(t.message.keyword ?? '') }, false);
    });
    on('shadow-updated', (s) => {
      if (s.by === 'device') this.update(s.deviceId, this.fromReported(s.deviceId));
    });
    await this.o.client.subscribeAlso(HA_STATUS_TOPIC);
    await this.o.client.subscribeAlso(`${HA_ROOT}/+/set/+`);
    await this.publishAll();
  }

  stop(): void {
    for (const d of this.detach.splice(0)) d();
  }

  /** A message on a topic outside the device protocol: Home Assistant's status. True when it was ours. */
  onMessage(topic: string, payload: Buffer): boolean {
    if (topic === HA_STATUS_TOPIC) {
      if (payload.length <= MAX_HA_COMMAND_BYTES && payload.toString('utf8').trim() === 'online') void this.publishAll();
      return true;
    }
    const target = parseHaCommandTopic(topic);
    if (!target) return false;
    void this.runCommand(target.deviceId, target.command, payload);
    return true;
  }

  private async runCommand(deviceId: string, command: HaCommand, payload: Buffer): Promise<void> {
    try {
      if (payload.length > MAX_HA_COMMAND_BYTES) throw new Error(`payload of ${payload.length} bytes (at most ${MAX_HA_COMMAND_BYTES})`);
      await this.o.command(deviceId, commandFor(command, payload.toString('utf8')));
    } catch (err) {
      this.o.log.warn({ deviceId, command, err: (err as Error).message }, 'Home Assistant command refused');
    }
  }

  async publishAll(): Promise<void> {
    for (const d of await this.o.devices()) await this.publishDevice(d);
  }

  async publishDevice(device: HaDevice): Promise<void> {
    await this.send(discoveryTopic(device.deviceId), discoveryDocument(device, this.o.origin), true);
    const state = this.states.get(device.deviceId) ?? this.seed(device.deviceId);
    await this.send(haStateTopic(device.deviceId), state, true);
  }

  /** Removes a deregistered device from Home Assistant (and its retained state). */
  async remove(deviceId: string): Promise<void> {
    this.states.delete(deviceId);
    await this.o.client.publishOther(discoveryTopic(deviceId), '', { qos: 1, retain: true });
    await this.o.client.publishOther(haStateTopic(deviceId), '', { qos: 1, retain: true });
  }

  /** The state of a device not heard from since the cloud started: what its shadow says. */
  private seed(deviceId: string): HaState {
    const state: HaState = { state: 'UNKNOWN', micOff: false, volume: null, doNotDisturb: false, timerCount: 0, timers: [], ...this.fromReported(deviceId) };
    this.states.set(deviceId, state);
    return state;
  }

  private fromReported(deviceId: string): Partial<HaState> {
    const r = this.o.reported(deviceId);
    return {
      ...(r.volume === undefined ? {} : { volume: r.volume }),
      ...(r.doNotDisturb === undefined ? {} : { doNotDisturb: r.doNotDisturb }),
      ...(r.micOff === undefined ? {} : { micOff: r.micOff }),
      ...(r.timerCount === undefined ? {} : { timerCount: r.timerCount, timers: [...(r.timers ?? [])] }),
    };
  }

  private update(deviceId: string, patch: Partial<HaState>): void {
    const next: HaState = { ...(this.states.get(deviceId) ?? this.seed(deviceId)), ...patch };
    this.states.set(deviceId, next);
    void this.send(haStateTopic(deviceId), next, true);
  }

  private async send(topic: string, body: unknown, retain: boolean): Promise<void> {
    try {
      await this.o.client.publishOther(topic, JSON.stringify(body), { qos: 1, retain });
    } catch (err) {
      this.o.log.warn({ topic, err: (err as Error).message }, 'Home Assistant message not published');
    }
  }
}
