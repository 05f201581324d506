import { cloudMayRetain, mayPublish, maySubscribe, type Principal } from './acl.js';
import { retainProblem, topicFilterProblem, topicNameProblem } from './topic-rules.js';

/**
 * The embedded broker's decision on one PUBLISH, will or SUBSCRIBE, in order: the topic's shape
 * (topic-rules.ts) before anything else, then the ACL (acl.ts), then the retain rule. The kind says
 * which, so an MQTT 5 client can be told with the matching reason code (mqtt5-adapter.ts).
 */
export type RefusalKind = 'topic-invalid' | 'not-authorized' | 'retain-refused';

export interface Refusal {
  kind: RefusalKind;
  reason: string;
}

export interface PublishAttempt {
  topic: string;
  retain: boolean;
  payloadBytes: number;
}

/** Why `principal` may not publish this (undefined: it may). */
export function publishRefusal(principal: Principal | undefined, attempt: PublishAttempt): Refusal | undefined {
  const problem = topicNameProblem(attempt.topic);
  if (problem) return { kind: 'topic-invalid', reason: `malformed topic: ${problem}` };
  if (!principal) return { kind: 'not-authorized', reason: 'not authenticated' };
  if (!mayPublish(principal, attempt.topic)) return { kind: 'not-authorized', reason: 'outside the ACL' };
  if (attempt.retain && !cloudMayRetain(principal, attempt.topic)) {
    const retain = retainProblem(attempt.topic, attempt.payloadBytes);
    if (retain) return { kind: 'retain-refused', reason: retain };
  }
  return undefined;
}

/** Why `principal` may not subscribe to `filter` (undefined: it may). */
export function subscribeRefusal(principal: Principal | undefined, filter: string): Refusal | undefined {
  const problem = topicFilterProblem(filter);
  if (problem) return { kind: 'topic-invalid', reason: `malformed topic filter: ${problem}` };
  if (!principal) return { kind: 'not-authorized', reason: 'not authenticated' };
  if (!maySubscribe(principal, filter)) return { kind: 'not-authorized', reason: 'outside the ACL' };
  return undefined;
}
