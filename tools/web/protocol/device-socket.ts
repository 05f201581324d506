import { z } from 'zod';
import { BUTTON_NAMES } from '../../../hal/buttons/types.js';
import { DEVICE_INPUTS, DEVICE_STATES } from '../../../cloud-link/protocol/device-states.js';

/**
 * The device page's WebSocket API (`echosim device --web`, docs/web.md): on connect the server sends
 * one `snapshot`, then typed messages as the device acts; a client sends button edges (JSON) and,
 * optionally, microphone audio (binary frames of s16le mono 16 kHz PCM, mixed into the device's
 * microphone before its mic-off switch). Nothing the server sends carries audio or a secret: the
 * input level is a number.
 */

const Time = z.number().min(0).meta({ description: 'Device (audio) time, seconds.' });
const Hex = z.string().regex(/^#[0-9a-f]{6}$/);
const Leds = z.array(Hex).min(1).max(64).meta({ description: 'One colour per LED, LED 0 first (#rrggbb).' });
const State = z.enum(DEVICE_STATES);
const Button = z.enum(BUTTON_NAMES);
const Index = z.int().min(0);

/** The device's events, as `echosim device --events jsonl` prints them (tools/device-events.ts). */
export const DeviceEventSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('state'), time: Time, from: State, to: State, input: z.enum(DEVICE_INPUTS), detail: z.string().optional() }),
    z.strictObject({
      type: z.literal('detection'), time: Time, keyword: z.string(), score: z.number().min(0).max(1), beginIndex: Index, endIndex: Index, accepted: z.boolean(),
    }),
    z.strictObject({
      type: z.literal('stream-start'), time: Time, id: Index, initiator: z.string(), keyword: z.string().optional(), startIndex: Index,
      wakeWordIndices: z.strictObject({ startIndexInSamples: Index, endIndexInSamples: Index }).optional(),
      preRoll: z.strictObject({ requestedSamples: Index, availableSamples: Index, complete: z.boolean() }),
    }),
    z.strictObject({ type: z.literal('stream-end'), time: Time, id: Index, endIndex: Index, reason: z.string() }),
    z.strictObject({ type: z.literal('button'), time: Time, button: Button, action: z.enum(['down', 'up', 'click', 'hold']), effect: z.string() }),
    z.strictObject({ type: z.literal('direction'), time: Time, azimuthDeg: z.number(), led: Index, confidence: z.number() }),
    z.strictObject({ type: z.literal('microphones'), time: Time, on: z.boolean(), origin: z.enum(['button', 'software', 'boot']) }),
    z.strictObject({ type: z.literal('volume'), time: Time, level: Index, requested: z.number(), clamped: z.boolean() }),
    z.strictObject({ type: z.literal('sound'), time: Time, label: z.string(), durationMs: z.number().min(0) }),
    z.strictObject({
      type: z.literal('notification'), time: Time, kind: z.enum(['timer', 'alarm']), id: z.string(), action: z.enum(['ringing', 'dismissed', 'missed']), label: z.string().optional(),
    }),
    z.strictObject({ type: z.literal('false-wake'), time: Time, id: Index, reason: z.string() }),
    z.strictObject({ type: z.literal('refused'), time: Time, request: z.string(), code: z.string(), message: z.string() }),
    z.strictObject({ type: z.literal('warning'), time: Time, code: z.string(), message: z.string() }),
  ])
  .meta({ title: 'DeviceEvent', description: "One of the device's events, as `echosim device --events jsonl` prints it." });

const Status = {
  state: State,
  micOn: z.boolean().meta({ description: 'The mic-off switch: false while the microphones are off (the ring is red).' }),
  volume: z.strictObject({ level: Index, max: Index }),
};

/** What happens on the device after the snapshot; these come in `batch` messages. */
export const DeviceStreamMessageSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('leds'), time: Time, leds: Leds }),
    z.strictObject({ type: z.literal('status'), ...Status }),
    z.strictObject({
      type: z.literal('level'),
      time: Time,
      dbfs: z.number().max(0).nullable().meta({ description: 'RMS level of the last 80 ms reaching the microphones, whole dBFS; null while they are off. Read once a batch, sent when it changed.' }),
      queuedMs: z.int().min(0).meta({ description: 'Browser audio waiting to be mixed in, ms.' }),
    }),
    z.strictObject({ type: z.literal('event'), event: DeviceEventSchema }),
  ])
  .meta({ title: 'DeviceStreamMessage', description: 'One LED frame, status change, input level or event.' });

export const DeviceServerMessageSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('snapshot'),
      protocol: z.literal(1),
      model: z.strictObject({ id: z.string(), name: z.string(), ledCount: z.int().min(1).max(64), layout: z.enum(['ring', 'bar']), buttons: z.array(Button) }),
      ledFps: z.number().positive(),
      time: Time,
      leds: Leds,
      ...Status,
      level: z.number().nullable(),
      microphone: z.strictObject({ description: z.string(), acceptsAudio: z.boolean() }),
      events: z.array(DeviceEventSchema).meta({ description: 'The most recent events, oldest first.' }),
    }),
    z.strictObject({
      type: z.literal('batch'),
      messages: z.array(DeviceStreamMessageSchema).min(1).meta({
        description:
          'What happened since the last batch (sent every 250 ms of device time), in order: every LED frame the ring sent (only frames that differ from the one before) with its device time, so a client can play them out at that pace 250 ms behind.',
      }),
    }),
    z.strictObject({ type: z.literal('error'), code: z.string(), message: z.string() }),
  ])
  .meta({ title: 'DeviceServerMessage', description: 'What the device socket sends: a snapshot on connect, then batches of LED frames, status, levels and events.' });

export const DeviceClientCommandSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('button'),
      button: Button,
      pressed: z.boolean().meta({ description: 'true: the button went down; false: it was released. A click is a press then a release; a hold is a long press.' }),
    }),
    z.strictObject({ type: z.literal('audio-reset').meta({ description: 'Drop browser audio still queued (a dropped WAV being played).' }) }),
  ])
  .meta({
    title: 'DeviceClientCommand',
    description: 'A JSON command to the device socket. Binary frames are microphone audio: s16le mono 16 kHz PCM, an even number of bytes, at most 16000.',
  });

export type DeviceEvent = z.infer<typeof DeviceEventSchema>;
export type DeviceServerMessage = z.infer<typeof DeviceServerMessageSchema>;
export type DeviceStreamMessage = z.infer<typeof DeviceStreamMessageSchema>;
export type DeviceClientCommand = z.infer<typeof DeviceClientCommandSchema>;
