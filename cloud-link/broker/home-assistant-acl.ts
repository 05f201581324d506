import { HA_COMMANDS, HA_ROOT, HA_STATUS_TOPIC, HOME_ASSISTANT_ROOT } from '../protocol/home-assistant-topics.js';
import { DEVICES_ROOT, isValidDeviceId, topicFor } from '../protocol/topics.js';

/**
 * What Home Assistant's broker user may do (docs/home-assistant.md#broker-user), the same on both
 * brokers (acl.ts for the embedded one, mosquitto-config.ts for Mosquitto's ACL file):
 *
 * - read: its discovery tree `homeassistant/#`, the cloud's `echosim/v1/ha/#` (state, wake events),
 *   and each device's availability `echosim/v1/devices/{id}/availability` (an id or `+`; nothing else
 *   of a device's subtree);
 * - write: `homeassistant/status` (its birth and last will) and the command topics
 *   `echosim/v1/ha/{id}/set/{command}`, nothing retained.
 *
 * It can neither publish discovery documents nor touch a device's own topics.
 */

const levelsOf = (s: string): string[] => s.split('/');
const HA_ROOT_LEVELS = levelsOf(HA_ROOT);
const DEVICES_LEVELS = levelsOf(DEVICES_ROOT);
const AVAILABILITY_LEVEL = levelsOf(topicFor('availability', 'x')).at(-1) ?? 'availability';

function startsWith(levels: readonly string[], root: readonly string[]): boolean {
  return levels.length > root.length && root.every((l, i) => levels[i] === l);
}

/** May Home Assistant subscribe to `filter` (already checked for its shape)? */
export function homeAssistantMaySubscribe(filter: string): boolean {
  const levels = levelsOf(filter);
  if (startsWith(levels, [HOME_ASSISTANT_ROOT]) || startsWith(levels, HA_ROOT_LEVELS)) return true;
  const id = levels[DEVICES_LEVELS.length];
  return (
    levels.length === DEVICES_LEVELS.length + 2 &&
    startsWith(levels, DEVICES_LEVELS) &&
    (id === '+' || isValidDeviceId(id)) &&
    levels[DEVICES_LEVELS.length + 1] === AVAILABILITY_LEVEL
  );
}

/** May Home Assistant publish on `topic` (a topic name, already checked for its shape)? */
export function homeAssistantMayPublish(topic: string): boolean {
  if (topic === HA_STATUS_TOPIC) return true;
  const levels = levelsOf(topic);
  const n = HA_ROOT_LEVELS.length;
  return (
    levels.length === n + 3 &&
    startsWith(levels, HA_ROOT_LEVELS) &&
    isValidDeviceId(levels[n]) &&
    levels[n + 1] === 'set' &&
    (HA_COMMANDS as readonly string[]).includes(levels[n + 2] ?? '')
  );
}

/** The same rule as Mosquitto ACL lines for the user `username`. */
export function homeAssistantAclLines(username: string): string[] {
  return [
    `user ${username}`,
    `topic read ${HOME_ASSISTANT_ROOT}/#`,
    `topic write ${HA_STATUS_TOPIC}`,
    `topic read ${HA_ROOT}/#`,
    ...HA_COMMANDS.map((c) => `topic write ${HA_ROOT}/+/set/${c}`),
    `topic read ${DEVICES_ROOT}/+/${AVAILABILITY_LEVEL}`,
  ];
}
