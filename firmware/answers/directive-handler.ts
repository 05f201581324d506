import type { Directive } from '../../cloud-link/protocol/directives.js';
import { EchosimError } from '../../core/errors.js';
import type { InteractionHost } from '../device/interaction-host.js';

/** What carrying out directives needs of the device: a Pick of the interaction's host, not a second host. */
export type AnswerHost = Pick<InteractionHost, 'clock' | 'features' | 'speaker' | 'dismissRinging' | 'emit' | 'refuse'>;

/** The volume controls the buttons use (Interaction), so a spoken change looks and sounds the same. */
export interface VolumeControls {
  stepVolume(step: 1 | -1): void;
  setVolume(level: number): void;
}

/**
 * Carries out the cloud's directives on the device, in order, through the same feature code as the
 * buttons and the API: a timer or alarm is set in the device's flash and rings from there (so it rings
 * with the link down), volume goes through the button path (ring arc, earcon, persisted), do-not-disturb
 * and lists through the feature stores. A directive that fails is reported (`refused`) and the rest
 * still run; each outcome is a `directive` event.
 */
export class DirectiveHandler {
  constructor(
    private readonly device: AnswerHost,
    private readonly volume: VolumeControls,
  ) {}

  async apply(directives: readonly Directive[]): Promise<void> {
    for (const d of directives) {
      try {
        const detail = await this.run(d);
        this.device.emit('directive', { type: d.type, ok: true, detail, at: this.device.clock.now() });
      } catch (err) {
        const e = err instanceof EchosimError ? err : new EchosimError('DIRECTIVE_INVALID', String(err), { hint: 'The cloud sent a directive the device cannot carry out.' });
        this.device.refuse(`directive ${d.type}`, e);
        this.device.emit('directive', { type: d.type, ok: false, detail: e.code, at: this.device.clock.now() });
      }
    }
  }

  private async run(d: Directive): Promise<string> {
    const f = this.device.features();
    switch (d.type) {
      case 'SetTimer':
        return (await f.timers.add({ durationMs: d.durationMs })).id;
      case 'CancelTimers': {
        const ids = f.timers.list().map((t) => t.id);
        for (const id of ids) await f.timers.cancel(id);
        return ids.join(',');
      }
      case 'SetAlarm':
        return (await f.alarms.add({ time: d.time, repeat: 'once' })).id;
      case 'CancelNextAlarm': {
        const next = f.alarms.list()[0];
        if (next) await f.alarms.cancel(next.id);
        return next?.id ?? '';
      }
      case 'Stop':
        return this.device.dismissRinging() ? 'dismissed' : '';
      case 'AdjustVolume':
        this.volume.stepVolume(d.step);
        return String(this.device.speaker.volume);
      case 'SetVolume':
        this.volume.setVolume(d.level);
        return String(this.device.speaker.volume);
      case 'AddToList':
        return (await f.lists.add(d.list, d.item)).id;
      case 'SetDoNotDisturb':
        await f.settings.set({ doNotDisturb: d.enabled });
        return String(d.enabled);
    }
  }
}
