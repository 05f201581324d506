import type { Rng } from '../../bench/fuzz-rng.js';
import { mentionsWord } from './word-match.js';

/**
 * The seed commands: what people say after the wake word in a meeting room or at home (the room
 * booking and privacy commands of Alexa for Business, README "What echosim is", and everyday ones).
 * Positives are "<word>, <command>"; the commands alone are negatives.
 */
export const SEED_COMMANDS: readonly string[] = [
  'set a timer for five minutes', 'what time is it', 'join my meeting', 'end the meeting', 'is this room free',
  'book this room for half an hour', 'book this room at two', 'who booked this room', 'check in',
  'delete what I just said', 'delete everything I said today', 'turn on the lights', 'turn off the kitchen lights',
  "what's the weather", 'play some music', 'stop', 'volume up', 'set an alarm for seven', "what's on my calendar",
  'call the front desk', 'add milk to my shopping list', 'how long is left on the timer',
];

/** Ordinary sentences without any wake word: talk in an office, a meeting room or at home. */
const PROSE: readonly string[] = [
  'The quarterly numbers look better than last year.', 'Could you pass me the blue folder on the shelf?',
  'We should book the large conference room for Thursday.', 'The train to the airport leaves every twenty minutes.',
  'I think the printer on the second floor is out of paper again.', 'Let me share my screen so everyone can see the plan.',
  'Can everybody hear me, or should I move closer to the microphone?', 'The coffee machine in the kitchen is finally fixed.',
  "Let's take a short break and meet back here at three.", 'Please send me the slides after the call.',
  'The budget review moved to next Monday morning.', 'I left my umbrella at the reception desk.',
  'Our new colleague starts on the first of the month.', 'The heating in this room is always too strong.',
  'Did anyone take notes during the last session?', 'We need two more chairs for the visitors.',
  'The parking garage closes at nine in the evening.', 'My daughter has a piano lesson after school today.',
  'Dinner will be ready in about twenty minutes.', 'The dog needs a walk before it gets dark.',
  'I will pick up the groceries on the way home.', 'The football match starts at half past seven.',
  'Have you seen my keys anywhere in the living room?', 'The weather forecast says it will rain all weekend.',
  'We are running a little late, start without us.', 'This report needs a summary on the first page.',
  'The client asked for a cheaper version of the offer.', 'Remember to water the plants on the balcony.',
  'The battery of my phone is almost empty.', 'I would like a cup of tea with a little milk.',
  'The library is open until eight on weekdays.', 'Our flight was delayed by almost two hours.',
  'Turn left at the bakery and then go straight ahead.', 'The kids are playing in the garden with the neighbours.',
  'There is a problem with the projector cable again.', 'Let us vote on the proposal at the end of the meeting.',
  'The new software update changed all the menus.', 'She said the contract will be signed on Friday.',
  'Thank you all for joining on such short notice.', 'The soup is too salty, but the bread is wonderful.',
  'Can you repeat the last number, please?', 'I have another call in five minutes.',
  'The museum has a new exhibition about the ocean.', 'We painted the bedroom a lighter shade of green.',
  'The elevator is out of order until tomorrow.', 'Good morning everyone, let us get started.',
  'Who is going to present the second part?', 'The meeting notes are in the shared folder.',
  'My brother is moving to another city next year.', 'It is much colder today than yesterday.',
];

/** Frames for a near miss inside ordinary speech; {x} is the near miss. */
const NEAR_MISS_FRAMES: readonly string[] = [
  '{x}.', '{x}, can you help me?', 'I talked to {x} about the report yesterday.', 'Did you say {x} or something else?',
  'The word {x} was written on the whiteboard.', 'We spent the whole afternoon on {x}.', '{x} is on the agenda for Thursday.',
  'Please add {x} to the meeting notes.', 'I think {x} called this morning.', 'Is {x} coming to dinner tonight?',
  'Somebody mentioned {x} during the break.', 'Oh, {x}, I almost forgot.', 'My friend {x} lives near the station.',
  'They wrote an article about {x}.', 'Say {x} again, slowly.', 'Well, {x} is not what I meant.',
];

/**
 * Known near misses of the words echosim ships (from the issue and the study of the bundled model):
 * names and phrases the dictionary-based generator ranks low but people do say. Checked like every
 * negative text (they never mention the word).
 */
export const KNOWN_NEAR_MISSES: Readonly<Record<string, readonly string[]>> = {
  alexa: ['Alexis', 'Alex', 'a Lexus', 'Alexandria', 'Alexander', 'election', 'a lexicon', 'relax', 'Texas', 'less than', 'X-ray', 'Alexei', 'Alessa', 'Alyssa'],
  amazon: ['amazing', 'Amazonia', 'am a zone', 'Amos', "I'm a son", 'Ramazan', 'Amazing Grace', 'a mason', 'Amazigh', 'lasagna'],
  echo: ['eco', 'Ekko', 'gecko', 'a co-op', 'ethics', 'ache oh', 'Elko', 'ego', 'Eggo', 'decko', 'a cold', 'check oh'],
  computer: ['commuter', 'compute', 'computing', 'competitor', 'come pewter', "can't you", 'complete', 'compete', 'composer', 'compost', 'recruiter'],
};

/**
 * Texts that are negatives for `word`: `count` sentences, each an ordinary sentence or a near miss
 * in a frame, in a seeded order. Every text passes mentionsWord: none says the word.
 */
export function negativeSentences(word: string, nearMisses: readonly string[], count: number, rng: Rng, nearMissShare = 0.5): string[] {
  const out: string[] = [];
  for (let guard = 0; out.length < count && guard < count * 20; guard++) {
    const text =
      nearMisses.length > 0 && rng.chance(nearMissShare)
        ? capitalise(rng.pick(NEAR_MISS_FRAMES).replace('{x}', rng.pick(nearMisses)))
        : rng.chance(0.25)
          ? `${rng.pick(PROSE)} ${rng.pick(PROSE)}`
          : rng.pick(PROSE);
    if (!mentionsWord(text, word)) out.push(text);
  }
  return out;
}

/** The seed commands that do not themselves say the word. */
export function commandsFor(word: string): string[] {
  return SEED_COMMANDS.filter((c) => !mentionsWord(c, word));
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
