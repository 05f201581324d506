import { parseTopic, topicSpec } from '../protocol/topics.js';

/**
 * What a topic must look like before the broker asks who may use it (acl.ts), and which topics may
 * hold a retained message. The embedded broker applies these to every PUBLISH, will and SUBSCRIBE
 * before authorization, whoever sends them.
 *
 * Why no empty level (`jobs//update`): MQTT lets `+` match an empty level, and aedes' router
 * (mqemitter, `matchEmptyLevels: true`) does, but the subscription index of its in-memory persistence
 * (aedes-persistence's QlobberSub) does not. A QoS 1 publish on such a topic is then delivered live
 * to a persistent (clean: false) subscriber of `.../+/update` without having been queued for it, so
 * aedes' `outgoingUpdate` finds no such packet and drops that subscriber's connection: any device
 * could disconnect the cloud at will. No protocol topic has an empty level, so the broker never routes
 * one and the two matchers cannot disagree.
 *
 * The bounds are generous next to the protocol's own topics (at most 8 levels and 170 bytes, see
 * protocol/topics.ts) and small next to what MQTT allows (65,535 bytes).
 */

/** Longest topic name or filter accepted, in UTF-8 bytes. */
export const MAX_TOPIC_BYTES = 256;
/** Most `/`-separated levels in a topic name or filter. */
export const MAX_TOPIC_LEVELS = 16;
/** Largest payload of a retained message (an availability document is under 200 bytes). */
export const MAX_RETAINED_PAYLOAD_BYTES = 1024;

/**
 * U+0000-U+001F, U+007F-U+009F (MQTT 1.5.4: must not / should not appear), U+FFFD (what a decoder
 * makes of bytes that are not UTF-8: the MQTT parser does not reject them itself) and lone
 * surrogates.
 */
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function commonProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'empty topic';
  if (Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES) return `longer than ${MAX_TOPIC_BYTES} bytes`;
  if (FORBIDDEN_CHARACTERS.test(topic)) return 'NUL, control character or invalid UTF-8';
  const levels = topic.split('/');
  if (levels.length > MAX_TOPIC_LEVELS) return `more than ${MAX_TOPIC_LEVELS} levels`;
  if (levels.some((level) => level.length === 0)) return 'empty level';
  return undefined;
}

/** Why `topic` cannot be published on (undefined: it can). */
export function topicNameProblem(topic: string): string | undefined {
  return commonProblem(topic) ?? (/[+#]/.test(topic) ? 'wildcard in a topic name' : undefined);
}

/** Why `filter` cannot be subscribed to (undefined: it can): wildcards only as whole levels, `#` last. */
export function topicFilterProblem(filter: string): string | undefined {
  const common = commonProblem(filter);
  if (common) return common;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '# not alone in the last level';
    if (level.includes('+') && level !== '+') return '+ not alone in its level';
  }
  return undefined;
}

/**
 * May a message on `topic` be retained? Only on the protocol's retained topics (availability), and
 * only small: the broker then holds at most one small message per device. An empty payload clears a
 * retained message and stores nothing, so it is allowed there too.
 */
export function retainProblem(topic: string, payloadBytes: number): string | undefined {
  const parsed = parseTopic(topic);
  if (!parsed || !topicSpec(parsed.kind).retain) return 'retained message outside the protocol\'s retained topics';
  if (payloadBytes > MAX_RETAINED_PAYLOAD_BYTES) return `retained payload over ${MAX_RETAINED_PAYLOAD_BYTES} bytes`;
  return undefined;
}

/** A topic fit for a log line: at most 200 characters. */
export function loggableTopic(topic: string): string {
  return topic.length > 200 ? `${topic.slice(0, 200)}...(${topic.length} characters)` : topic;
}

/** Does `topic` match `filter` (`+` one level, `#` the rest; `$` topics only literally)? */
export function topicMatchesFilter(topic: string, filter: string): boolean {
  const t = topic.split('/');
  const f = filter.split('/');
  if ((topic.startsWith('$') && (f[0] === '+' || f[0] === '#'))) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return t.length === f.length;
}
