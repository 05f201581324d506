import type { StreamAudio, StreamEnd, StreamStart } from '../../cloud-link/protocol/stream.js';
import type { DoaEstimate } from '../audio/doa/doa-estimator.js';
import { earcon, type EarconName } from '../speaker/earcons.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';
import type { Transition } from '../state/state-machine.js';
import type { InteractionHost } from './interaction-host.js';
import type { DeviceLink, DeviceLinkEvents } from './link.js';
import type { Subscriptions } from '../../core/subscriptions.js';

const INTERACTIVE: ReadonlySet<DeviceState> = new Set(['LISTENING', 'THINKING', 'SPEAKING']);
/** The ring re-points only when the talker moves by more than this, so it does not jitter. */
const REPOINT_DEG = 10;

/**
 * One request from wake word (or push-to-talk) to the end of the answer: the stream and where it goes,
 * the direction of the talker, earcons, the cloud's verdict and answer, and what the ring shows on the
 * way. Owned by a Device, which it sees only through an InteractionHost (what it needs, nothing more).
 */
export class Interaction {
  falseWakes = 0;
  private streamId: number | undefined;
  private lastStreamId: number | undefined;
  private pointing: number | undefined;
  private playback = 0;

  constructor(
    private readonly device: InteractionHost,
    private readonly link: DeviceLink | undefined,
  ) {}

  wire(subs: Subscriptions): void {
    const fe = this.device.frontEnd;
    subs.on(fe, 'detection', (d) => this.device.emit('detection', { ...d, accepted: true }));
    subs.on(fe, 'detection-ignored', (d) => this.device.emit('detection', { ...d, accepted: false }));
    subs.on(fe, 'stream-start', (s) => this.onStreamStart(s));
    subs.on(fe, 'stream-audio', (a: StreamAudio) => this.link?.utteranceAudio(a));
    subs.on(fe, 'stream-end', (e) => this.onStreamEnd(e));
    const link = this.link;
    if (!link) return;
    const handlers: { [K in keyof DeviceLinkEvents]: (...args: DeviceLinkEvents[K]) => void } = {
      up: () => this.device.linkUp(),
      down: (reason) => this.device.linkDown(reason),
      'utterance-rejected': ({ id, reason }) => this.onRejected(id, reason),
      'utterance-response': ({ id, audio, sampleRate }) => this.onResponse(id, audio, sampleRate),
      announcement: ({ audio }) => {
        if (this.device.accepts('ANNOUNCE')) {
          this.device.dispatch('ANNOUNCE', 'announcement');
          this.speak(audio, 'announcement');
        }
      },
    };
    for (const name of Object.keys(handlers) as Array<keyof DeviceLinkEvents>) {
      const fn = handlers[name] as (...args: unknown[]) => void;
      link.on(name, fn as never);
      subs.add(() => link.off(name, fn as never));
    }
  }

  pushToTalk(): void {
    if (!this.device.microphonesOn()) return;
    if (this.device.dispatch('TAP', 'action button') !== 'LISTENING') return;
    this.device.frontEnd.startTap();
    this.device.direction()?.startFresh();
  }

  stepVolume(step: 1 | -1): void {
    this.showVolume(this.device.speaker.stepVolume(step));
  }

  /** Sets the volume (a button, a script, the cloud): the ring shows it, the volume tone plays, it is kept on flash. Returns the level in force (capped by the room's limit). */
  setVolume(level: number): number {
    return this.showVolume(this.device.speaker.setVolume(level));
  }

  private showVolume(level: number): number {
    const d = this.device;
    d.leds.showVolume(level, 10);
    d.features().volume.set(level).catch((err: unknown) => d.warn('SETTINGS_INVALID', `could not save the volume: ${String(err)}`));
    void this.playEarcon('volume');
    return level;
  }

  pointAt(estimate: DoaEstimate): void {
    const previous = this.pointing;
    if (previous !== undefined && circularDistance(previous, estimate.azimuthDeg) < REPOINT_DEG) return;
    this.pointing = estimate.azimuthDeg;
    this.device.leds.setDirection(estimate.azimuthDeg);
    this.device.emit('direction', { azimuthDeg: round1(estimate.azimuthDeg), confidence: round3(estimate.confidence), at: this.device.clock.now() });
  }

  async playEarcon(name: EarconName): Promise<void> {
    await this.device.speaker.play(earcon(name), name).catch((err: unknown) => this.device.warn('SPEAKER_FAILED', String(err)));
  }

  onTransition(t: Transition): void {
    const d = this.device;
    if (t.from === 'LISTENING' && t.to !== 'LISTENING') {
      if (d.frontEnd.streaming) d.frontEnd.cancel(t.input === 'MIC_OFF' ? 'mic-off' : 'cancelled');
      d.direction()?.stopFollowing();
    }
    if (t.to === 'LISTENING' && d.features().settings.get().earcons.startOfRequest) void this.playEarcon('start-of-request');
    if (t.from === 'SPEAKING' && t.input !== 'SPEECH_DONE') {
      this.playback++;
      d.speaker.stop();
    }
    if (!INTERACTIVE.has(t.to)) {
      this.pointing = undefined;
      d.leds.setDirection(undefined);
      if (INTERACTIVE.has(t.from) && d.features().settings.get().doNotDisturb) d.leds.flashDnd();
    }
  }

  private onStreamStart(s: StreamStart): void {
    const d = this.device;
    if (s.initiator === 'wakeword') {
      d.dispatch('WAKE_WORD', s.keyword);
      if (s.detection) {
        const estimate = d.direction()?.startFromWakeWord(s.detection.beginIndex, s.detection.endIndex);
        if (estimate) this.pointAt(estimate);
      }
    }
    this.streamId = s.id;
    this.lastStreamId = s.id;
    this.link?.utteranceStart(s);
    d.emit('stream-start', { ...s, at: d.clock.now() });
  }

  private onStreamEnd(e: StreamEnd): void {
    const d = this.device;
    this.streamId = undefined;
    this.link?.utteranceEnd(e);
    d.emit('stream-end', { ...e, at: d.clock.now() });
    if (d.features().settings.get().earcons.endOfRequest) void this.playEarcon('end-of-request');
    switch (e.reason) {
      case 'end-of-speech':
      case 'max-length':
      case 'source-ended':
        d.dispatch('STREAM_ENDED', e.reason);
        return;
      case 'no-speech':
        d.dispatch('NO_SPEECH', e.reason);
        return;
      default:
        return; // mic-off and cancellations already moved the state
    }
  }

  private onRejected(id: number, reason: string): void {
    const d = this.device;
    if (id !== this.lastStreamId) return;
    if (this.streamId === id) d.frontEnd.cancel('cancelled');
    if (!d.accepts('FALSE_WAKE')) return;
    this.falseWakes++;
    d.emit('false-wake', { id, at: d.clock.now(), reason });
    d.dispatch('FALSE_WAKE', reason);
  }

  private onResponse(id: number, audio: Int16Array | undefined, _sampleRate: number | undefined): void {
    const d = this.device;
    if (id !== this.lastStreamId || d.state() !== 'THINKING') return;
    if (!audio || audio.length === 0) {
      d.dispatch('NO_RESPONSE');
      return;
    }
    d.dispatch('RESPONSE');
    this.speak(audio, 'response');
  }

  private speak(audio: Int16Array, label: string): void {
    const d = this.device;
    const token = ++this.playback;
    d.speaker
      .play(audio, label)
      .catch((err: unknown) => d.warn('SPEAKER_FAILED', String(err)))
      .finally(() => {
        if (token === this.playback && d.state() === 'SPEAKING') d.dispatch('SPEECH_DONE');
      });
  }
}

function circularDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
