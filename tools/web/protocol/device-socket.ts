import { z } from 'zod';
import { BUTTON_NAMES } from '../../../hal/buttons/types.js';
import { DEVICE_INPUTS, DEVICE_STATES } from '../../../cloud-link/protocol/device-states.js';
import { LED_PATTERNS } from '../../../firmware/leds/patterns.js';

/**
 * The device page's WebSocket API (`echosim device --web`, docs/web.md): on connect the server sends
 * one `snapshot`, then typed messages as the device acts: the ring as its scene (pattern, start time,
 * overlays), from which a client draws the frames with the firmware's own code, and LED frames only to
 * a client that subscribes to them. A client sends button edges (JSON) and,
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

/** The device socket's protocol version, in the snapshot. 2: the ring as scenes; LED frames only on subscription. */
export const DEVICE_SOCKET_PROTOCOL = 2;

/** What the ring means (firmware/leds/ring-scene.ts, times in seconds here): its frames follow from this and the device time. */
export const RingSceneSchema = z
  .strictObject({
    pattern: z.enum(LED_PATTERNS),
    since: Time.meta({ description: 'Device time the pattern began: its animation runs from there.' }),
    direction: z.number().min(0).lt(360).optional().meta({ description: "The talker's azimuth for 'listening', degrees counter-clockwise from microphone 0; absent: the front." }),
    volume: z.strictObject({ level: Index, max: z.int().min(1), until: Time }).optional().meta({ description: 'The white volume arc, shown until device time `until`.' }),
    dndSince: Time.optional().meta({ description: 'Device time the last Do-Not-Disturb flash began (it lasts 600 ms).' }),
  })
  .meta({
    title: 'RingScene',
    description:
      "What the light ring shows, as the firmware's ring engine holds it: frames are `sceneFrame(scene, deviceTimeMs, ledCount)` of firmware/leds/ring-scene.ts, which the device page imports from /lib/firmware/leds/ring-scene.js (times there in ms).",
  });

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
    z.strictObject({ type: z.literal('leds'), time: Time, leds: Leds }).meta({ description: 'One LED frame the ring sent; only to a client that subscribed to them.' }),
    z.strictObject({ type: z.literal('ring'), time: Time, ring: RingSceneSchema }).meta({ description: "The ring's scene changed at `time`." }),
    z.strictObject({ type: z.literal('status'), ...Status }),
    z.strictObject({
      type: z.literal('level'),
      time: Time,
      dbfs: z.number().max(0).nullable().meta({ description: 'RMS level of the last 80 ms reaching the microphones, whole dBFS; null while they are off. Read once a batch, sent when it changed.' }),
      queuedMs: z.int().min(0).meta({ description: 'Browser audio waiting to be mixed in, ms.' }),
    }),
    z.strictObject({ type: z.literal('event'), event: DeviceEventSchema }),
  ])
  .meta({ title: 'DeviceStreamMessage', description: 'One ring scene change, LED frame (subscribers only), status change, input level or event.' });

export const DeviceServerMessageSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('snapshot'),
      protocol: z.literal(DEVICE_SOCKET_PROTOCOL),
      model: z.strictObject({ id: z.string(), name: z.string(), ledCount: z.int().min(1).max(64), layout: z.enum(['ring', 'bar']), buttons: z.array(Button) }),
      ledFps: z.number().positive(),
      time: Time,
      leds: Leds.meta({ description: 'The frame the ring shows now, LED 0 first.' }),
      ring: RingSceneSchema,
      ...Status,
      level: z.number().nullable(),
      microphone: z.strictObject({ description: z.string(), acceptsAudio: z.boolean() }),
      events: z.array(DeviceEventSchema).meta({ description: 'The most recent events, oldest first.' }),
    }),
    z.strictObject({
      type: z.literal('batch'),
      time: Time.meta({ description: 'Device time the batch was sent: a client drawing the ring from its scene keeps its clock to this.' }),
      messages: z.array(DeviceStreamMessageSchema).min(1).meta({
        description:
          'What happened since the last batch (sent every 250 ms of device time when something did), in order. A client that subscribed to LED frames gets every frame the ring sent (only frames that differ from the one before) with its device time, to play them out at that pace 250 ms behind.',
      }),
    }),
    z.strictObject({ type: z.literal('error'), code: z.string(), message: z.string() }),
  ])
  .meta({ title: 'DeviceServerMessage', description: 'What the device socket sends: a snapshot on connect, then batches of ring scenes, status, levels, events and (on subscription) LED frames.' });

export const DeviceClientCommandSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('button'),
      button: Button,
      pressed: z.boolean().meta({ description: 'true: the button went down; false: it was released. A click is a press then a release; a hold is a long press.' }),
    }),
    z.strictObject({ type: z.literal('audio-reset').meta({ description: 'Drop browser audio still queued (a dropped WAV being played).' }) }),
    z.strictObject({
      type: z.literal('subscribe'),
      leds: z.boolean().meta({ description: 'true: send this client every LED frame (an LED service driving real LEDs); false: stop. Off until asked.' }),
    }),
  ])
  .meta({
    title: 'DeviceClientCommand',
    description: 'A JSON command to the device socket. Binary frames are microphone audio: s16le mono 16 kHz PCM, an even number of bytes, at most 16000.',
  });

export type DeviceEvent = z.infer<typeof DeviceEventSchema>;
export type DeviceServerMessage = z.infer<typeof DeviceServerMessageSchema>;
export type DeviceStreamMessage = z.infer<typeof DeviceStreamMessageSchema>;
export type DeviceClientCommand = z.infer<typeof DeviceClientCommandSchema>;
