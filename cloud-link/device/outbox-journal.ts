import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { EchosimError } from '../../core/errors.js';
import { PRIVATE_FILE_MODE } from '../../core/private-files.js';

/** One message waiting in the outbox: its sequence number, topic and payload. */
export interface OutboxMessage {
  seq: number;
  topic: string;
  payload: Buffer;
}

/**
 * The outbox's on-disk journal format (see Outbox): an 8-byte magic, then records
 * `u32 length | u32 checksum (sha256 prefix) | JSON body`, replayed up to the first torn or corrupt one.
 */
export const MAGIC = Buffer.from('EOUTBOX1');
const HEADER = 8;
export const JournalRecord = z.discriminatedUnion('t', [
  z.object({ t: z.literal('add'), s: z.number().int().nonnegative(), topic: z.string().min(1), p: z.base64() }),
  z.object({ t: z.literal('ack'), s: z.number().int().nonnegative() }),
  z.object({ t: z.literal('drop'), s: z.number().int().nonnegative() }),
  z.object({ t: z.literal('meta'), next: z.number().int().nonnegative(), dropped: z.number().int().nonnegative() }),
]);
export type JournalRecord = z.infer<typeof JournalRecord>;

function checksum(body: Buffer): number {
  return createHash('sha256').update(body).digest().readUInt32BE(0);
}

export function encode(record: JournalRecord): Buffer {
  const body = Buffer.from(JSON.stringify(record));
  const head = Buffer.alloc(HEADER);
  head.writeUInt32BE(body.length, 0);
  head.writeUInt32BE(checksum(body), 4);
  return Buffer.concat([head, body]);
}

export interface Replay {
  entries: Map<number, OutboxMessage>;
  nextSeq: number;
  dropped: number;
  records: number;
  tornBytes: number;
}

/** Reads the journal, applies its valid prefix and cuts off anything after it. */
export function replayJournal(file: string): Replay {
  const replay: Replay = { entries: new Map(), nextSeq: 0, dropped: 0, records: 0, tornBytes: 0 };
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    data = Buffer.alloc(0);
  }
  if (data.length < MAGIC.length) {
    // New, or torn while its magic was being written: start it over (nothing was ever promised).
    if (!MAGIC.subarray(0, data.length).equals(data)) throw notAJournal(file);
    repairFile(file, 0);
    return replay;
  }
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) throw notAJournal(file);
  let offset = MAGIC.length;
  while (offset + HEADER <= data.length) {
    const length = data.readUInt32BE(offset);
    if (offset + HEADER + length > data.length) break; // torn: the length runs past the end
    const body = data.subarray(offset + HEADER, offset + HEADER + length);
    if (checksum(body) !== data.readUInt32BE(offset + 4)) break; // torn or overwritten
    let parsed;
    try {
      parsed = JournalRecord.safeParse(JSON.parse(body.toString('utf8')));
    } catch {
      break;
    }
    if (!parsed.success) break;
    apply(replay, parsed.data);
    replay.records++;
    offset += HEADER + length;
  }
  replay.tornBytes = data.length - offset;
  if (replay.tornBytes > 0) repairFile(file, offset);
  return replay;
}

function notAJournal(file: string): EchosimError {
  return new EchosimError('OUTBOX_INVALID', `${file} is not an echosim outbox journal`, {
    hint: 'Move the file away; the device then starts with an empty outbox.',
  });
}

function apply(replay: Replay, record: JournalRecord): void {
  switch (record.t) {
    case 'add':
      replay.entries.set(record.s, { seq: record.s, topic: record.topic, payload: Buffer.from(record.p, 'base64') });
      replay.nextSeq = Math.max(replay.nextSeq, record.s + 1);
      break;
    case 'ack':
      replay.entries.delete(record.s);
      break;
    case 'drop':
      replay.entries.delete(record.s);
      replay.dropped++;
      break;
    case 'meta':
      replay.nextSeq = Math.max(replay.nextSeq, record.next);
      replay.dropped = record.dropped;
      break;
  }
}

/** Truncates the journal to its valid prefix (or writes the magic into a new one), durably. */
export function repairFile(file: string, validLength: number): void {
  const fd = openSync(file, 'a+', PRIVATE_FILE_MODE);
  try {
    ftruncateSync(fd, validLength);
    if (validLength === 0) writeSync(fd, MAGIC);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
