import { TOPIC_ROOT, isValidDeviceId } from './topics.js';

/**
 * The topics between the cloud and Home Assistant (docs/home-assistant.md#topics). Devices never
 * use them: the cloud publishes discovery and each device's state for Home Assistant, and Home
 * Assistant, logged in as its own broker user, publishes only its status and commands.
 *
 * - `homeassistant/...`: Home Assistant's discovery prefix (its documents, and `homeassistant/status`,
 *   where it announces itself `online` when it starts: its birth message).
 * - `echosim/v1/ha/{deviceId}/state` (retained JSON) and `.../wake` (events), from the cloud.
 * - `echosim/v1/ha/{deviceId}/set/{command}`: Home Assistant's commands (a number's or a switch's
 *   `command_topic`), which the cloud checks the way it checks the API's requests.
 */
export const HOME_ASSISTANT_ROOT = 'homeassistant';
export const HA_STATUS_TOPIC = `${HOME_ASSISTANT_ROOT}/status`;
export const HA_ROOT = `${TOPIC_ROOT}/ha`;

/** What Home Assistant may command: the device's volume (a number) and do-not-disturb (a switch). */
export const HA_COMMANDS = ['volume', 'do_not_disturb'] as const;
export type HaCommand = (typeof HA_COMMANDS)[number];

export function haStateTopic(deviceId: string): string {
  return `${HA_ROOT}/${deviceId}/state`;
}

export function haWakeTopic(deviceId: string): string {
  return `${HA_ROOT}/${deviceId}/wake`;
}

export function haCommandTopic(deviceId: string, command: HaCommand): string {
  return `${HA_ROOT}/${deviceId}/set/${command}`;
}

/** `{ deviceId, command }` for a command topic, undefined for anything else. */
export function parseHaCommandTopic(topic: string): { deviceId: string; command: HaCommand } | undefined {
  const levels = topic.split('/');
  const root = HA_ROOT.split('/');
  if (levels.length !== root.length + 3 || !root.every((l, i) => levels[i] === l) || levels[root.length + 1] !== 'set') return undefined;
  const deviceId = levels[root.length] ?? '';
  const command = levels[root.length + 2] as HaCommand;
  return isValidDeviceId(deviceId) && HA_COMMANDS.includes(command) ? { deviceId, command } : undefined;
}
