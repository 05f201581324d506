import type { LocalCommand } from '../../cloud-link/protocol/local-command.js';
import type { LocalFeatures } from './local-features.js';

/** What running a local command needs of the device: its features and the buttons' volume path. */
export interface LocalCommandTarget {
  readonly features: Pick<LocalFeatures, 'settings' | 'timers' | 'alarms' | 'lists'>;
  /** Sets the volume as the buttons do (ring, tone, kept on flash); returns the level in force. */
  setVolume(level: number): number;
}

/**
 * Runs one local command (protocol/local-command.ts) on a device: the one place the script, the
 * cloud's jobs and, through the cloud, Home Assistant, and the assistant's spoken answers
 * (firmware/answers/directive-handler.ts) change a device's local features. The features validate
 * again and keep the change on flash before this resolves; what the device shows follows from the
 * feature (the volume on the ring with its tone, a timer's or an alarm's yellow ring and chime when
 * it comes due). Resolves with what was done, as job statusDetails; a refusal (a full timer list, ...)
 * rejects with the feature's EchosimError and changes nothing.
 */
export async function runLocalCommand(device: LocalCommandTarget, command: LocalCommand): Promise<Record<string, string>> {
  const f = device.features;
  switch (command.Action) {
    case 'SET_VOLUME':
      return { volume: String(device.setVolume(command.Volume)) };
    case 'SET_DO_NOT_DISTURB':
      await f.settings.set({ doNotDisturb: command.Enabled });
      return { doNotDisturb: String(command.Enabled) };
    case 'SET_EARCONS':
      await f.settings.set({ earcons: { startOfRequest: command.StartOfRequest, endOfRequest: command.EndOfRequest } });
      return { startOfRequest: String(command.StartOfRequest), endOfRequest: String(command.EndOfRequest) };
    case 'START_TIMER': {
      const timer = await f.timers.add({ durationMs: command.DurationSeconds * 1000, ...(command.Label ? { label: command.Label } : {}) });
      return { timerId: timer.id, dueAt: new Date(timer.dueAt).toISOString() };
    }
    case 'SET_ALARM': {
      const alarm = await f.alarms.add({ time: command.Time, repeat: command.Repeat ?? 'once', ...(command.Label ? { label: command.Label } : {}) });
      return { alarmId: alarm.id, dueAt: new Date(alarm.dueAt).toISOString() };
    }
    case 'ADD_LIST_ITEM': {
      const item = await f.lists.add(command.List, command.Text);
      return { list: command.List, itemId: item.id };
    }
  }
}
