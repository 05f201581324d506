import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { A4bService } from '../a4b/service.js';
import { RoomCalendar } from '../calendar/room-calendar.js';
import type { RecordingStore } from '../recordings/recording-store.js';
import { PocketsphinxRecognizer } from '../speech/command-recognizer.js';
import { Assistant } from './assistant.js';
import { FliteSynthesizer } from './speech-synthesizer.js';

/**
 * The cloud's own assistant: pocketsphinx recognizes the request, flite speaks the answer, and the
 * registry's recordings and room calendars are what it acts on. A machine without the recognizer gets
 * a warning that says what to install, and requests then go unrecognized ("Sorry, ...").
 */
export function localAssistant(d: { service: A4bService; recordings: RecordingStore; clock: Clock; log: Logger }): Assistant {
  const recognizer = new PocketsphinxRecognizer();
  const missing = recognizer.unavailable();
  if (missing) d.log.warn({ code: missing.code, hint: missing.hint }, missing.message);
  return new Assistant({
    recognizer,
    synthesizer: new FliteSynthesizer(),
    recordings: { metas: d.service.recordings, files: d.recordings },
    rooms: new RoomCalendar(d.service.bookings),
    clock: d.clock,
    log: d.log,
  });
}
