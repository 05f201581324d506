import { DEFAULT_MAX_PAYLOAD_BYTES } from '../protocol/parse.js';
import { MAX_RESPONSE_BYTES } from '../protocol/utterance.js';
import type { BrokerRole } from './acl.js';

/**
 * The largest MQTT packet (fixed header included, as Mosquitto's `max_packet_size` counts it) each
 * kind of client may send to the broker. Anything larger is cut off from its fixed header, before
 * the broker buffers it (packet-guard.ts), so one client can make the broker hold at most this much.
 *
 * - Before its CONNECT is authenticated a client is nobody: its CONNECT (client id, username, secret,
 *   a small last will, MQTT 5 properties) fits in a few hundred bytes.
 * - A device's largest message is a JSON document the cloud parses up to DEFAULT_MAX_PAYLOAD_BYTES
 *   (64 KiB; audio chunks are at most 32 KB). Twice that leaves room for the topic and lets a
 *   slightly oversized document still get the protocol's 413 answer instead of a cut connection.
 * - The cloud's largest is an utterance response with up to 30 s of audio (MAX_RESPONSE_BYTES,
 *   1.28 MB), plus room for its topic and headers.
 */
export const PRE_AUTH_MAX_PACKET_BYTES = 8 * 1024;
export const DEVICE_MAX_PACKET_BYTES = 2 * DEFAULT_MAX_PAYLOAD_BYTES;
export const CLOUD_MAX_PACKET_BYTES = MAX_RESPONSE_BYTES + 64 * 1024;

export interface PacketLimits {
  preAuth: number;
  device: number;
  cloud: number;
}

export const DEFAULT_PACKET_LIMITS: Readonly<PacketLimits> = {
  preAuth: PRE_AUTH_MAX_PACKET_BYTES,
  device: DEVICE_MAX_PACKET_BYTES,
  cloud: CLOUD_MAX_PACKET_BYTES,
};

/**
 * The limit for a client of `role` (undefined: not authenticated yet). Home Assistant sends only its
 * status and short commands (home-assistant-acl.ts): it gets a device's limit.
 */
export function packetLimitFor(limits: Readonly<PacketLimits>, role: BrokerRole | undefined): number {
  if (role === undefined) return limits.preAuth;
  return role === 'home-assistant' ? limits.device : limits[role];
}
