import type { IPublishPacket, MqttClient } from 'mqtt';

/** What a connection does with the mqtt.js client's events. */
export interface ClientHandlers {
  connect(packet: { sessionPresent: boolean }): void;
  error(err: Error): void;
  close(): void;
  message(topic: string, payload: Buffer, packet: IPublishPacket): void;
}

/**
 * Adds `handlers` to the client and returns what removes exactly them. Only ours may come off at close:
 * mqtt.js' own 'close' listener clears its connack timer (a real 60 s timer that otherwise keeps a
 * process alive after closing while connecting), so removeAllListeners on the client is not an option.
 */
export function listenToClient(client: MqttClient, handlers: ClientHandlers): () => void {
  const on = {
    connect: (packet: { sessionPresent: boolean }) => handlers.connect(packet),
    error: (err: Error) => handlers.error(err),
    close: () => handlers.close(),
    message: (topic: string, payload: Buffer, packet: IPublishPacket) => handlers.message(topic, payload, packet),
  };
  client.on('connect', on.connect).on('error', on.error).on('close', on.close).on('message', on.message);
  return () => void client.off('connect', on.connect).off('error', on.error).off('close', on.close).off('message', on.message);
}
