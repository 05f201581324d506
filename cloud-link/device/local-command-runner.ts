import type { DeviceControl } from '../../firmware/device/device-control.js';
import type { LocalCommand } from '../protocol/local-command.js';

/**
 * Runs one local command (protocol/local-command.ts) on a device: the one place the script, the
 * cloud's jobs and, through the cloud, Home Assistant change a device's local features. The
 * features validate again and keep the change on flash before this resolves; what the device shows
 * follows from the feature (the volume on the ring with its tone, a timer's or an alarm's yellow
 * ring and chime when it comes due). Resolves with what was done, as job statusDetails; a refusal
 * (a full timer list, ...) rejects with the feature's EchosimError and changes nothing.
 */
export async function runLocalCommand(device: Pick<DeviceControl, 'features' | 'setVolume'>, command: LocalCommand): Promise<Record<string, string>> {
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
