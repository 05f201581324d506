import type { Directive } from '../../cloud-link/protocol/directives.js';
import type { LocalCommand } from '../../cloud-link/protocol/local-command.js';
import { EchosimError } from '../../core/errors.js';
import type { InteractionHost } from '../device/interaction-host.js';
import { runLocalCommand } from '../features/local-command-runner.js';

/** What carrying out directives needs of the device: a Pick of the interaction's host, not a second host. */
export type AnswerHost = Pick<InteractionHost, 'clock' | 'features' | 'speaker' | 'dismissRinging' | 'emit' | 'refuse'>;

/** The volume controls the buttons use (Interaction), so a spoken change looks and sounds the same. */
export interface VolumeControls {
  stepVolume(step: 1 | -1): void;
  setVolume(level: number): number;
}

/**
 * Carries out the cloud's directives on the device, in order. A directive that changes a local feature
 * (a timer, an alarm, the volume, do-not-disturb, a list item) is the local command that makes the
 * same change, run by the one runner the script, the cloud's jobs and Home Assistant use
 * (firmware/features/local-command-runner.ts): a timer or alarm is set in the device's flash and rings
 * from there (so it rings with the link down), volume goes through the buttons' path (ring arc,
 * earcon, persisted). The rest (cancel, stop, a volume step) have no local command and act here on the
 * same features. A directive that fails is reported (`refused`) and the rest still run; each outcome is
 * a `directive` event.
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
      case 'SetAlarm':
      case 'SetVolume':
      case 'AddToList':
      case 'SetDoNotDisturb': {
        const done = await runLocalCommand({ features: f, setVolume: (level) => this.volume.setVolume(level) }, asLocalCommand(d));
        return done.timerId ?? done.alarmId ?? done.itemId ?? done.volume ?? done.doNotDisturb ?? '';
      }
      case 'CancelTimers': {
        const ids = f.timers.list().map((t) => t.id);
        for (const id of ids) await f.timers.cancel(id);
        return ids.join(',');
      }
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
    }
  }
}

/** A directive that changes a local feature, which a local command can do too. */
export type FeatureDirective = Extract<Directive, { type: 'SetTimer' | 'SetAlarm' | 'SetVolume' | 'AddToList' | 'SetDoNotDisturb' }>;

/** The local command that makes a directive's change (the directive's bounds are within the command's). */
export function asLocalCommand(d: FeatureDirective): LocalCommand {
  switch (d.type) {
    case 'SetTimer':
      return { Action: 'START_TIMER', DurationSeconds: Math.round(d.durationMs / 1000) };
    case 'SetAlarm':
      return { Action: 'SET_ALARM', Time: d.time, Repeat: 'once' };
    case 'SetVolume':
      return { Action: 'SET_VOLUME', Volume: d.level };
    case 'AddToList':
      return { Action: 'ADD_LIST_ITEM', List: d.list, Text: d.item };
    case 'SetDoNotDisturb':
      return { Action: 'SET_DO_NOT_DISTURB', Enabled: d.enabled };
  }
}
