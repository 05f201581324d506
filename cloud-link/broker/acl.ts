import { HA_ROOT, HOME_ASSISTANT_ROOT } from '../protocol/home-assistant-topics.js';
import { CLOUD_USERNAME, DEVICES_ROOT, TOPIC_ROOT, isValidDeviceId, topicFor } from '../protocol/topics.js';
import { homeAssistantMayPublish, homeAssistantMaySubscribe } from './home-assistant-acl.js';
import { topicFilterProblem, topicNameProblem } from './topic-rules.js';

/**
 * Who may use which MQTT topics: the one rule both brokers enforce.
 *
 * - A device (username = clientId = its deviceId) may publish and subscribe only under
 *   `echosim/v1/devices/{deviceId}/` (and that topic itself, as the `#` of Mosquitto's
 *   `pattern readwrite echosim/v1/devices/%u/#` also matches its parent level).
 * - The cloud may use everything under `echosim/v1/`, and Home Assistant's discovery tree.
 * - Home Assistant's own user (role `home-assistant`) has the narrow rights of home-assistant-acl.ts.
 *
 * A filter is allowed when its leading levels are exactly the principal's root, written out literally:
 * a wildcard in one of those levels (`echosim/v1/devices/+/x`, `#`) could match another device's
 * topics, so it is refused even though some of what it matches would be allowed. `$`-topics
 * (`$SYS/...`) never start with `echosim`, so nobody gets them.
 *
 * Topics are first checked for their shape (topic-rules.ts). The embedded broker calls these
 * functions on every SUBSCRIBE, PUBLISH and will; the Mosquitto
 * files written by mosquitto-config.ts express the same rule in Mosquitto's ACL language. The topic
 * root, the cloud's username and what a device id is come from the protocol (protocol/topics.ts).
 */

export { CLOUD_USERNAME, DEVICES_ROOT, TOPIC_ROOT, isValidDeviceId };

export type BrokerRole = 'device' | 'cloud' | 'home-assistant';

/** An authenticated MQTT user. */
export interface Principal {
  role: BrokerRole;
  username: string;
}

/** The availability topic of a device (retained `online`, last will `offline`). */
export function availabilityTopic(deviceId: string): string {
  return topicFor('availability', deviceId);
}

/** The topic levels a cloud's or device's topics must start with, literally. */
function aclRootLevels(principal: Principal): string[] {
  return principal.role === 'cloud' ? TOPIC_ROOT.split('/') : [...DEVICES_ROOT.split('/'), principal.username];
}

/** Is `filter` a topic filter the brokers accept (topic-rules.ts: wildcards whole levels, `#` last, bounded)? */
export function isValidTopicFilter(filter: string): boolean {
  return topicFilterProblem(filter) === undefined;
}

/** Is `topic` a topic name the brokers accept to publish on (topic-rules.ts: no wildcards, no empty level, bounded)? */
export function isValidTopicName(topic: string): boolean {
  return topicNameProblem(topic) === undefined;
}

/**
 * Does the principal's root cover this filter or topic, written out literally in its leading levels?
 * The cloud also has Home Assistant's tree.
 */
function coveredByRoot(principal: Principal, topicOrFilter: string): boolean {
  if (principal.role === 'device' && !isValidDeviceId(principal.username)) return false;
  const levels = topicOrFilter.split('/');
  const under = (root: readonly string[]): boolean => levels.length >= root.length && root.every((level, i) => levels[i] === level);
  return under(aclRootLevels(principal)) || (principal.role === 'cloud' && levels.length > 1 && under([HOME_ASSISTANT_ROOT]));
}

/**
 * A retained message the cloud may leave outside the protocol: Home Assistant discovery (an empty one
 * removes a device) and each device's state for Home Assistant (`echosim/v1/ha/{id}/state`).
 */
export function cloudMayRetain(principal: Principal, topic: string): boolean {
  return principal.role === 'cloud' && (topic.startsWith(`${HOME_ASSISTANT_ROOT}/`) || topic.startsWith(`${HA_ROOT}/`));
}

/** May `principal` publish on `topic` (also used for its last will)? */
export function mayPublish(principal: Principal, topic: string): boolean {
  if (!isValidTopicName(topic)) return false;
  return principal.role === 'home-assistant' ? homeAssistantMayPublish(topic) : coveredByRoot(principal, topic);
}

/** May `principal` subscribe to `filter`? Wildcards are fine only below its own root. */
export function maySubscribe(principal: Principal, filter: string): boolean {
  if (!isValidTopicFilter(filter)) return false;
  return principal.role === 'home-assistant' ? homeAssistantMaySubscribe(filter) : coveredByRoot(principal, filter);
}
