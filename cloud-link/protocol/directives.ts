import { z } from 'zod';
import { MAX_TIMER_SECONDS } from './intent.js';

/**
 * Directives: what the device does locally after an answer (utterance/{n}/response), in the manner of
 * the AVS directives that come with a Speak. The device acts on them through the same code as its
 * buttons and the API (firmware/answers/directive-handler.ts): a timer or alarm lives on the device, so
 * it rings even if the link is down afterwards. And the device context: the little local state a
 * request is answered from (AVS sends it with every Recognize event), in utterance/{n}/start.
 */

export const MAX_DIRECTIVES = 8;
export const MAX_CONTEXT_ITEMS = 20;
export const MAX_ITEM_CHARS = 64;

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const DirectiveSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('SetTimer'), durationMs: z.int().min(1000).max(MAX_TIMER_SECONDS * 1000) }),
    z.strictObject({ type: z.literal('CancelTimers') }),
    z.strictObject({ type: z.literal('SetAlarm'), time: TimeOfDay }),
    z.strictObject({ type: z.literal('CancelNextAlarm') }),
    z.strictObject({ type: z.literal('Stop') }),
    z.strictObject({ type: z.literal('AdjustVolume'), step: z.union([z.literal(1), z.literal(-1)]) }),
    z.strictObject({ type: z.literal('SetVolume'), level: z.int().min(0).max(10) }),
    z.strictObject({ type: z.literal('AddToList'), list: z.literal('shopping'), item: z.string().min(1).max(MAX_ITEM_CHARS) }),
    z.strictObject({ type: z.literal('SetDoNotDisturb'), enabled: z.boolean() }),
  ])
  .meta({ title: 'Directive' });
export type Directive = z.infer<typeof DirectiveSchema>;

export const DirectivesSchema = z.array(DirectiveSchema).max(MAX_DIRECTIVES);

/** What the device knows that an answer may need; every list is bounded. */
export const DeviceContextSchema = z
  .strictObject({
    /** IANA time zone the device keeps its alarms in. */
    timeZone: z.string().min(1).max(64),
    /** Running timers, soonest first: milliseconds left. */
    timers: z.array(z.strictObject({ remainingMs: z.int().min(0).max(MAX_TIMER_SECONDS * 1000) })).max(MAX_CONTEXT_ITEMS),
    /** The shopping list's open items (the first MAX_CONTEXT_ITEMS). */
    shoppingList: z.array(z.string().min(1).max(MAX_ITEM_CHARS)).max(MAX_CONTEXT_ITEMS),
    volume: z.int().min(0).max(10),
    doNotDisturb: z.boolean(),
  })
  .meta({ title: 'DeviceContext' });
export type DeviceContext = z.infer<typeof DeviceContextSchema>;
