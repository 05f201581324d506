import type { PublishOptions } from '../mqtt-connection.js';

/**
 * What the link's parts need from the MQTT connection: whether it is up, and publishing on the
 * device's own topics (QoS 1 resolves on PUBACK and is held across a reconnect; QoS 0 fails at once
 * when offline). MqttConnection is one; tests of a single part may pass anything shaped like it.
 */
export interface LinkTransport {
  readonly connected: boolean;
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
}

/** A payload that came in and was dropped, for the link's `malformed` event. */
export interface MalformedMessage {
  /** The topic kind, e.g. shadow/get/accepted. */
  kind: string;
  code: 400 | 413;
  message: string;
}
