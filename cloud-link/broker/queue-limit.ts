/**
 * A ceiling on what aedes' persistence queues for one client: the QoS 1/2 messages waiting for a
 * client with a persistent session (clean: false) while it is offline, or sent and not yet
 * acknowledged while it is online. aedes itself queues without limit, so a client that stays away,
 * or one that never acknowledges (a device that makes the cloud answer it over and over), would grow
 * the broker's memory without bound. Mosquitto has the same ceiling as `max_queued_messages` /
 * `max_queued_bytes` (mosquitto-config.ts), and drops what is over it the same way.
 *
 * Over the ceiling a message is not queued for that client: an offline client misses it; an online
 * one that leaves this many messages unacknowledged is disconnected by aedes when it tries to deliver
 * it (its `outgoingUpdate` finds no queued packet), and gets the rest when it reconnects.
 *
 * The count is exact because it wraps every method that adds to or removes from the queue
 * (aedes-persistence 11: enqueue, enqueueCombi, clearMessageId; an update replaces in place). The
 * wrapped persistence carries its counts with it when it is handed to a restarted broker.
 */
export interface QueueLimits {
  /** Messages queued per client; default 1000 (Mosquitto's max_queued_messages). */
  maxMessages: number;
  /** Payload bytes queued per client. */
  maxBytes: number;
}

interface QueuedPacket {
  payload?: { length: number } | string;
}

interface Subscriber {
  clientId: string;
}

interface OutgoingPersistence {
  outgoingEnqueue(sub: Subscriber, packet: QueuedPacket): Promise<void>;
  outgoingEnqueueCombi(subs: Subscriber[], packet: QueuedPacket): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<QueuedPacket | undefined>;
}

export interface QueueOverflow {
  clientId: string;
  queuedMessages: number;
  queuedBytes: number;
}

const LIMITED = Symbol('echosim.queueLimited');

function payloadBytes(packet: QueuedPacket | undefined): number {
  const payload = packet?.payload;
  if (payload === undefined) return 0;
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}

/**
 * Wraps `persistence` (in place) so no client gets more than `limits` queued (one ceiling for every
 * client, or a ceiling per client id, e.g. by the client's role); `onOverflow` hears of each message
 * dropped. Wrapping an already wrapped persistence only updates its limits and listener.
 */
export function limitOutgoingQueues(persistence: unknown, limits: QueueLimits | ((clientId: string) => QueueLimits), onOverflow: (overflow: QueueOverflow) => void): void {
  type Limits = QueueLimits | ((clientId: string) => QueueLimits);
  const target = persistence as OutgoingPersistence & { [LIMITED]?: { limits: Limits; onOverflow: (o: QueueOverflow) => void } };
  if (target[LIMITED]) {
    target[LIMITED] = { limits, onOverflow };
    return;
  }
  const state = { limits, onOverflow };
  target[LIMITED] = state;
  const counts = new Map<string, { messages: number; bytes: number }>();
  const enqueue = target.outgoingEnqueue.bind(target);
  const enqueueCombi = target.outgoingEnqueueCombi.bind(target);
  const clear = target.outgoingClearMessageId.bind(target);

  /** Counts the packet for `clientId` if it fits; false when it does not. */
  const admit = (clientId: string, bytes: number): boolean => {
    const count = counts.get(clientId) ?? { messages: 0, bytes: 0 };
    const { limits: current, onOverflow: report } = target[LIMITED] ?? state;
    const l = typeof current === 'function' ? current(clientId) : current;
    if (count.messages + 1 > l.maxMessages || count.bytes + bytes > l.maxBytes) {
      report({ clientId, queuedMessages: count.messages, queuedBytes: count.bytes });
      return false;
    }
    count.messages++;
    count.bytes += bytes;
    counts.set(clientId, count);
    return true;
  };

  target.outgoingEnqueue = async (sub, packet) => {
    if (admit(sub.clientId, payloadBytes(packet))) await enqueue(sub, packet);
  };
  target.outgoingEnqueueCombi = async (subs, packet) => {
    const bytes = payloadBytes(packet);
    const admitted = subs.filter((sub) => admit(sub.clientId, bytes));
    if (admitted.length > 0) await enqueueCombi(admitted, packet);
  };
  target.outgoingClearMessageId = async (client, packet) => {
    const removed = await clear(client, packet);
    if (removed) {
      const count = counts.get(client.id);
      if (count) {
        count.messages = Math.max(0, count.messages - 1);
        count.bytes = Math.max(0, count.bytes - payloadBytes(removed));
        if (count.messages === 0) counts.delete(client.id);
      }
    }
    return removed;
  };
}
