import type { MqttClient } from 'mqtt';

/**
 * Turns Nagle's algorithm off on an mqtt.js client's socket (TCP or TLS; WebSocket streams have no
 * such switch and are left alone). MQTT is small request/answer packets: with Nagle on, a packet
 * written while an earlier one is unacknowledged waits for the peer's delayed ACK, ~40 ms per hop,
 * which measured as most of a profile apply's latency. mqtt.js makes a new socket per connection
 * and does not set it, so call this on every `connect`.
 */
export function disableNagle(client: MqttClient): void {
  const stream = client.stream as unknown as { setNoDelay?: (noDelay: boolean) => unknown } | undefined;
  stream?.setNoDelay?.(true);
}
