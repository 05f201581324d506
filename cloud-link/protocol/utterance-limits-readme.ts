import { PRE_ROLL_SAMPLES, DEFAULT_MAX_STREAM_SAMPLES } from './stream.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './parse.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import {
  DEFAULT_UTTERANCE_CAPS as CAPS,
  MAX_CHUNK_SAMPLES,
  MAX_UTTERANCE_CHUNKS,
  MAX_UTTERANCE_SAMPLES,
  REFUSAL_BURST,
  REFUSALS_PER_SECOND,
  UTTERANCE_CHUNK_SLACK,
} from './utterance-limits.js';

/** The "Utterance limits and refusals" section of cloud-link/schemas/README.md, from the constants themselves. */
export function utteranceLimitsSection(): string[] {
  const fullChunks = Math.ceil(MAX_UTTERANCE_SAMPLES / MAX_CHUNK_SAMPLES);
  const deviceChunks = Math.ceil(DEFAULT_MAX_STREAM_SAMPLES / MAX_CHUNK_SAMPLES);
  const s = (ms: number): string => `${ms / 1000} s`;
  const ms = (samples: number): string => `${(samples / SAMPLE_RATE) * 1000} ms`;
  return [
    '## Utterance limits and refusals',
    '',
    'Every number a device sends about an utterance is bounded; the cloud checks the bounds before it stores anything.',
    '',
    '| what | bound |',
    '|---|---|',
    `| samples in a chunk | at most ${MAX_CHUNK_SAMPLES} (80 ms). The device sends exactly ${MAX_CHUNK_SAMPLES} per chunk; only an utterance's last chunk may be shorter |`,
    `| \`offset\` of chunk \`seq\` | at most \`seq\` x ${MAX_CHUNK_SAMPLES} (where ${MAX_CHUNK_SAMPLES}-sample chunks put it); \`offset\` + samples at most ${MAX_UTTERANCE_SAMPLES} |`,
    `| samples in an utterance (\`samples\`, \`wakeWordIndices\`, \`preRoll\`) | at most ${MAX_UTTERANCE_SAMPLES}: the longest stream (${s((DEFAULT_MAX_STREAM_SAMPLES / SAMPLE_RATE) * 1000)}) plus the ${ms(PRE_ROLL_SAMPLES)} pre-roll |`,
    `| chunks in an utterance (\`chunks\`; \`seq\` below it) | at most ${MAX_UTTERANCE_CHUNKS}: ${fullChunks} chunks of ${MAX_CHUNK_SAMPLES} for ${MAX_UTTERANCE_SAMPLES} samples, plus a slack of ${UTTERANCE_CHUNK_SLACK} for chunks a device closes short |`,
    `| \`samples\` against \`chunks\` | at most \`chunks\` x ${MAX_CHUNK_SAMPLES} |`,
    '',
    `The device caps its stream at ${s((DEFAULT_MAX_STREAM_SAMPLES / SAMPLE_RATE) * 1000)} with the pre-roll inside, ${deviceChunks} chunks, so the bounds leave it ` +
      `${ms(MAX_UTTERANCE_SAMPLES - DEFAULT_MAX_STREAM_SAMPLES)} and ${MAX_UTTERANCE_CHUNKS - deviceChunks} chunks of slack.`,
    'What one device may hold in the cloud at once:',
    '',
    '| cap | value |',
    '|---|---|',
    `| utterances open | ${CAPS.maxOpenPerDevice} |`,
    `| audio held over its open utterances | ${CAPS.maxDeviceBytes} bytes (two maximum-length utterances) |`,
    `| chunks received before their utterance's start | ${CAPS.maxEarlyChunks} |`,
    `| an utterance without a message | closed after ${s(CAPS.idleTimeoutMs)}, and any utterance ${s(CAPS.maxAgeMs)} after its first message; neither gets a verdict or a response then |`,
    '',
    'A message the cloud refuses changes nothing else and is answered on `utterance/{n}/rejected`',
    '([utterance-rejected](utterance-rejected.schema.json)) with `refused` (`start`, `audio` or `end`), the chunk\'s `seq` when',
    'its header could be read, a `message` naming the rule, and a code:',
    '',
    '| code | when |',
    '|---|---|',
    '| 400 | invalid UTF-8, JSON or schema (a number beyond the bounds above included), a malformed audio chunk or one beyond the bounds, an `id` that differs from the topic\'s |',
    `| 413 | a JSON payload over ${DEFAULT_MAX_PAYLOAD_BYTES / 1024} KiB |`,
    `| 429 | a cap above: more than ${CAPS.maxOpenPerDevice} utterances open, the audio budget used up, more than ${CAPS.maxEarlyChunks} chunks before the start |`,
    '',
    '`dropped: true` means the cloud closed the utterance: no verdict or response follows, and the device stops streaming it.',
    'That is the answer to a refused `start` or `end` and to an utterance over the open cap; a refused chunk is dropped on',
    `its own and the utterance goes on. Each device gets at most ${REFUSAL_BURST} refusals at once and ${REFUSALS_PER_SECOND} a second after that;`,
    'beyond, refusals are counted by the cloud but not sent.',
  ];
}
