import { z } from 'zod';

/**
 * What the cloud understood from an utterance (cloud-link/cloud/speech/): one of the supported intents
 * with its slots, or NoMatch. It travels in utterance/{n}/response so that the device can report it
 * (`intent` events) without understanding speech itself.
 */
export const INTENT_NAMES = [
  'WhatTime',
  'SetTimer',
  'CancelTimer',
  'TimeLeft',
  'SetAlarm',
  'CancelAlarm',
  'Stop',
  'VolumeUp',
  'VolumeDown',
  'SetVolume',
  'AddToList',
  'ReadList',
  'DndOn',
  'DndOff',
  'DeleteLast',
  'DeleteToday',
  'RoomFree',
  'BookRoom',
  'WhoBooked',
  'CheckIn',
  'EndMeeting',
  'JoinMeeting',
] as const;
export type IntentName = (typeof INTENT_NAMES)[number];

export const MAX_TIMER_SECONDS = 24 * 3600;
export const MAX_BOOKING_MINUTES = 8 * 60;

/** Slots, already normalized to values (the words are in `heard`). */
export const IntentSlotsSchema = z
  .strictObject({
    durationSeconds: z.int().min(1).max(MAX_TIMER_SECONDS).optional(),
    /** Local wall-clock time of day, 24 h. */
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).optional(),
    level: z.int().min(0).max(10).optional(),
    item: z.string().min(1).max(64).optional(),
    minutes: z.int().min(1).max(MAX_BOOKING_MINUTES).optional(),
  })
  .meta({ title: 'IntentSlots' });
export type IntentSlots = z.infer<typeof IntentSlotsSchema>;

export const IntentSchema = z
  .strictObject({
    name: z.enum([...INTENT_NAMES, 'NoMatch']),
    slots: IntentSlotsSchema,
    /** The recognizer's confidence in [0, 1] (0 for NoMatch). */
    confidence: z.number().min(0).max(1),
    /** The words recognized (empty for NoMatch: speech outside the grammar is not transcribed). */
    heard: z.string().max(200),
  })
  .meta({ title: 'Intent' });
export type Intent = z.infer<typeof IntentSchema>;
