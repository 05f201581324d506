import { EventEmitter } from 'node:events';
import { readdirSync, unlinkSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { EchosimError, isEchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenFile } from '../../core/private-files.js';
import type { ConnectionStateChange, PublishOptions } from './mqtt-connection.js';
import { MAGIC, encode, replayJournal, type JournalRecord, type OutboxMessage, type Replay } from './outbox-journal.js';

/** What an outbox drains through: an MqttConnection, structurally. */
export interface OutboxLink {
  readonly connected: boolean;
  publish(topic: string, payload: Buffer, options: PublishOptions): Promise<void>;
  on(event: 'state', listener: (change: ConnectionStateChange) => void): unknown;
  off(event: 'state', listener: (change: ConnectionStateChange) => void): unknown;
}

export interface OutboxOptions {
  /** The device's data directory. */
  dir: string;
  /** File name stem; default `outbox`. */
  name?: string;
  /** Messages kept; default 1000. */
  maxMessages?: number;
  /** Largest payload accepted, bytes; default 64 KiB. */
  maxPayloadBytes?: number;
  /** QoS 1 publishes awaiting PUBACK at once; default 8. Order holds: MQTT keeps one connection's order. */
  maxInFlight?: number;
  log?: Logger;
}

/** What open() found on disk. */
export interface OutboxRecovery {
  /** Valid records replayed. */
  records: number;
  /** Messages still to deliver. */
  pending: number;
  /** Bytes cut off the end: a batch torn by a crash (0 normally). */
  tornBytes: number;
}

export interface OutboxEvents {
  delivered: [OutboxMessage];
  dropped: [{ message: OutboxMessage; reason: 'full' | 'not-authorized' }];
}

/**
 * Telemetry the device must not lose: queued on disk, sent in order at QoS 1, removed only once the
 * broker has acknowledged it (PUBACK). A restart between publish and PUBACK sends it again, so
 * delivery is at least once; consumers deduplicate by content or don't care (counters, events).
 *
 * On disk: one append-only journal, `<name>.journal` in the device's data directory. After an 8-byte
 * magic, every record is `u32 length | u32 checksum (sha256 prefix) | JSON body`: `add` (seq, topic,
 * payload), `ack` (delivered), `drop` (evicted) and `meta` (counters carried over a compaction).
 * Records are written in batches, one write and one fdatasync per batch (group commit: every
 * enqueue() that arrives while a batch is being synced joins the next one), and enqueue() resolves
 * when its record is on disk. A power cut can only tear the last batch; on open, the first record
 * whose length runs past the end or whose checksum fails ends the journal, and the file is truncated
 * there: a torn record is dropped, never parsed. When dead records dominate, the journal is rewritten
 * with only the live ones (temporary file, fsync, rename, directory fsync), as the settings store does.
 *
 * Bounded: at `maxMessages` the oldest message is dropped for the new one and `dropped` counts it
 * (persisted), so a device offline for days keeps its most recent telemetry.
 */
export class Outbox extends EventEmitter<OutboxEvents> {
  readonly file: string;
  readonly recovery: OutboxRecovery;
  private readonly entries = new Map<number, OutboxMessage>();
  private readonly inFlight = new Set<number>();
  private readonly maxMessages: number;
  private readonly maxPayloadBytes: number;
  private readonly maxInFlight: number;
  private readonly log: Logger;
  private nextSeq = 0;
  private droppedCount = 0;
  /** Records in the journal file, live or dead; drives compaction. */
  private journalRecords = 0;
  private pendingWrites: Array<{ bytes: Buffer; done: (err?: Error) => void }> = [];
  private writer: Promise<void> | undefined;
  private link: OutboxLink | undefined;
  private closed = false;
  private readonly onState = (change: ConnectionStateChange): void => {
    if (change.to === 'CONNECTED') this.pump();
  };

  private constructor(private fh: FileHandle, file: string, options: OutboxOptions, replay: Replay) {
    super();
    this.file = file;
    this.maxMessages = options.maxMessages ?? 1000;
    this.maxPayloadBytes = options.maxPayloadBytes ?? 64 * 1024;
    this.maxInFlight = options.maxInFlight ?? 8;
    this.log = (options.log ?? rootLogger()).child({ component: 'outbox' });
    for (const m of replay.entries.values()) this.entries.set(m.seq, m);
    this.nextSeq = replay.nextSeq;
    this.droppedCount = replay.dropped;
    this.journalRecords = replay.records;
    this.recovery = { records: replay.records, pending: this.entries.size, tornBytes: replay.tornBytes };
  }

  /** Opens (or creates) the outbox in `options.dir`, replaying and repairing its journal. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const name = options.name ?? 'outbox';
    ensurePrivateDir(options.dir);
    for (const f of readdirSync(options.dir)) {
      if (f.startsWith(`${name}.journal.tmp-`)) unlinkSync(path.join(options.dir, f)); // an unfinished compaction
    }
    for (const [key, value] of [['maxMessages', options.maxMessages], ['maxInFlight', options.maxInFlight], ['maxPayloadBytes', options.maxPayloadBytes]] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
        throw new EchosimError('OUTBOX_INVALID', `${key} must be a positive integer, not ${value}`, { hint: 'Leave it out for the default.' });
      }
    }
    const file = path.join(options.dir, `${name}.journal`);
    const replay = replayJournal(file);
    tightenFile(file); // a journal an older version wrote 0644
    const outbox = new Outbox(await open(file, 'a', PRIVATE_FILE_MODE), file, options, replay);
    if (replay.tornBytes > 0) outbox.log.warn({ tornBytes: replay.tornBytes, file }, 'dropped a torn record at the end of the outbox journal');
    const excess = outbox.entries.size - outbox.maxMessages;
    if (excess > 0) await Promise.all([...outbox.entries.values()].slice(0, excess).map((m) => outbox.evict(m, 'full')));
    return outbox;
  }

  /** Messages waiting for their PUBACK (including those in flight). */
  get size(): number {
    return this.entries.size;
  }

  /** Messages dropped because the outbox was full, over its whole life (persisted). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** What is waiting, oldest first (copies). */
  pending(): OutboxMessage[] {
    return [...this.entries.values()].map((m) => ({ ...m, payload: Buffer.from(m.payload) }));
  }

  /** Queues a message; resolves with its sequence number once it is on disk. */
  async enqueue(topic: string, payload: string | Buffer): Promise<number> {
    if (this.closed) throw new EchosimError('OUTBOX_CLOSED', 'the outbox is closed', { hint: 'Open it again after a restart.' });
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
    if (topic.length === 0 || /[+#\u0000]/.test(topic) || body.length > this.maxPayloadBytes) {
      throw new EchosimError('OUTBOX_INVALID', `cannot queue ${body.length} bytes on "${topic}"`, {
        hint: `Topics are plain topic names; payloads are at most ${this.maxPayloadBytes} bytes.`,
      });
    }
    const message: OutboxMessage = { seq: this.nextSeq++, topic, payload: body };
    const writes: Array<Promise<void>> = [];
    while (this.entries.size >= this.maxMessages) {
      const oldest = this.entries.values().next().value as OutboxMessage;
      writes.push(this.evict(oldest, 'full'));
    }
    this.entries.set(message.seq, message);
    writes.push(this.append({ t: 'add', s: message.seq, topic, p: body.toString('base64') }));
    await Promise.all(writes);
    this.pump();
    return message.seq;
  }

  /** Drains through `link` whenever it is connected (now, and after every reconnect). */
  attach(link: OutboxLink): void {
    this.detach();
    this.link = link;
    link.on('state', this.onState);
    this.pump();
  }

  detach(): void {
    this.link?.off('state', this.onState);
    this.link = undefined;
  }

  /** Resolves once every message has been acknowledged. */
  whenEmpty(): Promise<void> {
    if (this.entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.entries.size > 0) return;
        this.off('delivered', check);
        this.off('dropped', check);
        resolve();
      };
      this.on('delivered', check);
      this.on('dropped', check);
    });
  }

  /** Stops draining, finishes writing and closes the journal. Unacknowledged messages stay on disk. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    await this.writer;
    await this.fh.close();
    this.removeAllListeners();
  }

  /** Publishes the oldest messages not yet in flight, up to the window. */
  private pump(): void {
    const link = this.link;
    if (!link || !link.connected || this.closed) return;
    for (const message of this.entries.values()) {
      if (this.inFlight.size >= this.maxInFlight) return;
      if (this.inFlight.has(message.seq)) continue;
      this.inFlight.add(message.seq);
      link.publish(message.topic, message.payload, { qos: 1 }).then(
        () => this.acknowledged(message),
        (err: unknown) => this.failed(message, err),
      );
    }
  }

  private acknowledged(message: OutboxMessage): void {
    this.inFlight.delete(message.seq);
    if (!this.entries.delete(message.seq)) return; // evicted while in flight
    if (!this.closed) this.append({ t: 'ack', s: message.seq }).catch((err: unknown) => this.log.error({ err }, 'cannot record a delivery'));
    this.emit('delivered', message);
    this.pump();
  }

  private failed(message: OutboxMessage, err: unknown): void {
    this.inFlight.delete(message.seq);
    if (isEchosimError(err, 'MQTT_NOT_AUTHORIZED') && this.entries.has(message.seq) && !this.closed) {
      // Retrying cannot help: the device may never publish there.
      this.log.error({ topic: message.topic }, 'dropping an outbox message the device may not publish');
      void this.evict(message, 'not-authorized').catch((e: unknown) => this.log.error({ err: e }, 'cannot record a drop'));
      return;
    }
    // Connection closed under it: it stays queued and goes out again after the next connect.
    this.log.debug({ seq: message.seq, err: (err as Error).message }, 'outbox publish not acknowledged; will retry');
  }

  private evict(message: OutboxMessage, reason: 'full' | 'not-authorized'): Promise<void> {
    this.entries.delete(message.seq);
    if (reason === 'full') this.droppedCount++;
    this.emit('dropped', { message, reason });
    return this.append({ t: reason === 'full' ? 'drop' : 'ack', s: message.seq });
  }

  /** Queues a record for the next batch; resolves once that batch is on disk. */
  private append(record: JournalRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingWrites.push({ bytes: encode(record), done: (err) => (err ? reject(err) : resolve()) });
      this.writer ??= this.writeBatches().finally(() => (this.writer = undefined));
    });
  }

  private async writeBatches(): Promise<void> {
    while (this.pendingWrites.length > 0) {
      const batch = this.pendingWrites;
      this.pendingWrites = [];
      try {
        await this.fh.write(Buffer.concat(batch.map((w) => w.bytes)));
        await this.fh.datasync();
        this.journalRecords += batch.length;
        for (const w of batch) w.done();
      } catch (err) {
        for (const w of batch) w.done(err as Error);
      }
      if (this.pendingWrites.length === 0 && this.shouldCompact()) await this.compact();
    }
  }

  private shouldCompact(): boolean {
    return this.journalRecords >= 256 && this.journalRecords > 4 * (this.entries.size + 1);
  }

  /** Rewrites the journal with only the live messages. Runs inside the writer, between batches. */
  private async compact(): Promise<void> {
    // Snapshot synchronously: records queued from here on are appended to the new file.
    const records: JournalRecord[] = [{ t: 'meta', next: this.nextSeq, dropped: this.droppedCount }];
    for (const m of this.entries.values()) records.push({ t: 'add', s: m.seq, topic: m.topic, p: m.payload.toString('base64') });
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      const out = await open(tmp, 'w', PRIVATE_FILE_MODE);
      try {
        await out.write(Buffer.concat([MAGIC, ...records.map(encode)]));
        await out.sync();
      } finally {
        await out.close();
      }
      await rename(tmp, this.file);
      const dir = await open(path.dirname(this.file), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      await this.fh.close();
      this.fh = await open(this.file, 'a', PRIVATE_FILE_MODE);
      this.journalRecords = records.length;
    } catch (err) {
      this.log.error({ err }, 'outbox compaction failed; the journal keeps growing until the next try');
    }
  }
}
