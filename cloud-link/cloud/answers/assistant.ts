import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { DeviceContext } from '../../protocol/directives.js';
import type { Intent } from '../../protocol/intent.js';
import { encodeResponseAudio, type UtteranceResponse, type UtteranceStart } from '../../protocol/utterance.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import type { RecordingMetaStore } from '../db/recording-meta-store.js';
import type { RecordingStore } from '../recordings/recording-store.js';
import { noMatch, type CommandRecognizer } from '../speech/command-recognizer.js';
import { withoutTrailingSilence } from '../speech/trailing-silence.js';
import { composeAnswer, wordDeletion, type ComposedAnswer } from './answer-composer.js';
import type { SpeechSynthesizer } from './speech-synthesizer.js';
import { deleteByVoice } from './voice-deletion.js';
import { isRoomIntent, type RoomCalendar } from '../calendar/room-calendar.js';
import { CALENDAR_FAILED_TEXT, wordRoomAnswer } from './room-answers.js';

export interface AssistantDeps {
  recognizer: CommandRecognizer;
  synthesizer: SpeechSynthesizer;
  recordings: { metas: RecordingMetaStore; files: RecordingStore };
  /** The calendars of the rooms devices are in (the room commands). */
  rooms: RoomCalendar;
  /** Wall-clock time (answers say the time of day). */
  clock: Clock;
  log: Logger;
}

export interface AnswerRequest {
  readonly deviceId: string;
  readonly start: UtteranceStart;
  /** The utterance from its first streamed sample (pre-roll and wake word included). */
  readonly audio: Int16Array;
}

export interface AnswerResult {
  readonly body: UtteranceResponse;
  readonly intent: Intent;
  /** Whether this utterance's audio may be kept (never for a voice deletion request). */
  readonly mayKeep: boolean;
  /** Milliseconds spent recognizing, and in all (recognition, actions, synthesis). */
  readonly recognizeMs: number;
  readonly totalMs: number;
}

/**
 * The minimal cloud's assistant: the request after the wake word is recognized (speech/), answered
 * (answer-composer.ts), the cloud's own part done (voice deletion), and the answer spoken (flite) into
 * one utterance/{n}/response with the intent and the device's directives. Anything that fails along
 * the way becomes the spoken no-match, never silence and never a guess.
 */
export class Assistant {
  constructor(private readonly deps: AssistantDeps) {}

  async answer(req: AnswerRequest): Promise<AnswerResult> {
    const { clock, log } = this.deps;
    const t0 = clock.now();
    const request = withoutTrailingSilence(afterWakeWord(req.audio, req.start));
    let intent: Intent;
    try {
      intent = await this.deps.recognizer.recognize(request);
    } catch (err) {
      log.warn({ deviceId: req.deviceId, err: (err as Error).message }, 'speech not recognized; answered as no-match');
      intent = noMatch();
    }
    const recognizeMs = clock.now() - t0;
    const context = req.start.context;
    let composed = composeAnswer(intent, context, clock.wallNow());
    composed = await this.act(req.deviceId, composed, context);
    let audio: Int16Array | undefined;
    if (composed.text) {
      try {
        audio = await this.deps.synthesizer.synthesize(composed.text);
      } catch (err) {
        log.warn({ deviceId: req.deviceId, err: (err as Error).message }, 'answer not synthesized; sent without audio');
      }
    }
    log.info({ deviceId: req.deviceId, id: req.start.id, intent: intent.name, confidence: intent.confidence, recognizeMs }, 'request answered');
    const body: UtteranceResponse = {
      id: req.start.id,
      ...(audio && audio.length > 0 ? { audio: encodeResponseAudio(audio), sampleRate: SAMPLE_RATE } : {}),
      intent,
      ...(composed.directives.length > 0 ? { directives: [...composed.directives] } : {}),
    };
    const deletion = composed.action?.kind === 'delete-recordings' || intent.name === 'DeleteLast' || intent.name === 'DeleteToday';
    return { body, intent, mayKeep: !deletion, recognizeMs, totalMs: clock.now() - t0 };
  }

  close(): void {
    this.deps.recognizer.close();
  }

  /** The cloud's own part of an answer; returns the answer with its words. */
  private async act(deviceId: string, answer: ComposedAnswer, context: DeviceContext | undefined): Promise<ComposedAnswer> {
    const action = answer.action;
    if (!action) return answer;
    if (action.kind === 'delete-recordings') {
      const n = await deleteByVoice(this.deps.recordings, deviceId, action.which, this.deps.clock.wallNow(), context?.timeZone);
      return { ...answer, text: wordDeletion(action.which, n) };
    }
    if (!isRoomIntent(action.intent)) return answer;
    const now = this.deps.clock.wallNow();
    try {
      return { ...answer, text: wordRoomAnswer(this.deps.rooms.act(deviceId, action.intent, now), now) };
    } catch (err) {
      this.deps.log.error({ deviceId, intent: action.intent.name, err: (err as Error).message }, 'room command failed');
      return { ...answer, text: CALENDAR_FAILED_TEXT };
    }
  }
}

/** The request after the wake word (a tap stream has none); the grammar still allows a leading "alexa". */
export function afterWakeWord(audio: Int16Array, start: UtteranceStart): Int16Array {
  const end = start.wakeWordIndices?.endIndexInSamples ?? 0;
  return end > 0 && end < audio.length ? audio.subarray(end) : audio;
}
