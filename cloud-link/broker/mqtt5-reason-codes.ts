import type { RefusalKind } from './broker-rules.js';
import { topicFilterProblem } from './topic-rules.js';

/**
 * The MQTT 5 reason codes the adapter (mqtt5-adapter.ts) answers with, and how aedes' MQTT 3.1.1
 * answers map onto them (MQTT 5.0 section 2.4).
 */
export const ReasonCode = {
  SUCCESS: 0x00,
  UNSPECIFIED_ERROR: 0x80,
  MALFORMED_PACKET: 0x81,
  PROTOCOL_ERROR: 0x82,
  UNSUPPORTED_PROTOCOL_VERSION: 0x84,
  CLIENT_IDENTIFIER_NOT_VALID: 0x85,
  BAD_USER_NAME_OR_PASSWORD: 0x86,
  NOT_AUTHORIZED: 0x87,
  SERVER_UNAVAILABLE: 0x88,
  BAD_AUTHENTICATION_METHOD: 0x8c,
  TOPIC_FILTER_INVALID: 0x8f,
  TOPIC_NAME_INVALID: 0x90,
  PACKET_TOO_LARGE: 0x95,
  TOPIC_ALIAS_INVALID: 0x94,
  SHARED_SUBSCRIPTIONS_NOT_SUPPORTED: 0x9e,
  SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED: 0xa1,
} as const;

/** DISCONNECT from a client: "disconnect with will message" (the will is published anyway). */
export const DISCONNECT_WITH_WILL = 0x04;

/** An MQTT 3.1.1 CONNACK return code as an MQTT 5 CONNACK reason code. */
export function connackReasonCode(returnCode: number): number {
  switch (returnCode) {
    case 0:
      return ReasonCode.SUCCESS;
    case 1:
      return ReasonCode.UNSUPPORTED_PROTOCOL_VERSION;
    case 2:
      return ReasonCode.CLIENT_IDENTIFIER_NOT_VALID;
    case 3:
      return ReasonCode.SERVER_UNAVAILABLE;
    case 4:
      return ReasonCode.BAD_USER_NAME_OR_PASSWORD;
    case 5:
      return ReasonCode.NOT_AUTHORIZED;
    default:
      return ReasonCode.UNSPECIFIED_ERROR;
  }
}

/** The PUBACK / PUBREC / DISCONNECT reason for a refused PUBLISH (broker-rules.ts). */
export function publishReasonCode(kind: RefusalKind): number {
  return kind === 'topic-invalid' ? ReasonCode.TOPIC_NAME_INVALID : ReasonCode.NOT_AUTHORIZED;
}

/** A SUBACK entry: the granted QoS, or why the filter was refused (aedes says only 128). */
export function subackReasonCode(granted: number, filter: string): number {
  if (granted <= 2) return granted;
  if (filter.startsWith('$share/')) return ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
  if (topicFilterProblem(filter)) return ReasonCode.TOPIC_FILTER_INVALID;
  return ReasonCode.NOT_AUTHORIZED;
}
