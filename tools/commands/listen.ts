import path from 'node:path';
import type { Command } from 'commander';
import { concatSamples } from '../../hal/mic/samples.js';
import { ensurePrivateDir } from '../../core/private-files.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { writeWav16 } from '../../hal/mic/wav-writer.js';
import { openListenSession, seconds, type ListenSessionOptions } from '../listen-session.js';
import { parsePositive, parsePositiveInt, printJsonLine } from '../options.js';
import { addSpotterOptions, withModelFiles } from '../spotter-options.js';

interface ListenOptions extends ListenSessionOptions {
  model?: string[];
  scores?: boolean;
  saveStreams?: string;
}

export const MIC_SPEC_HELP = 'wav:FILE[,FILE...] | alsa[:DEVICE] | stdin | synthetic:silence|tone[:HZ]|noise';

export function registerListen(program: Command): void {
  const cmd = program
    .command('listen')
    .description('spot wake words on a microphone source and print detections and streams as JSON lines')
    .requiredOption('--mic <spec>', MIC_SPEC_HELP)
    .option('--fast', 'read files as fast as possible instead of in real time')
    .option('--channels <n>', 'channels of the array for alsa, stdin and synthetic sources (default 1)', parsePositiveInt)
    .option('--duration <seconds>', 'length of synthetic audio (default endless)', parsePositive)
    .option('--max-stream <seconds>', 'longest stream before the device closes it', parsePositive, 8)
    .option('--no-vad', 'do not end streams at end of speech (only at the maximum length)')
    .option('--scores', "also print every 80 ms chunk's scores")
    .option('--save-streams <dir>', 'write each stream (pre-roll + speech) to DIR/stream-N.wav');
  addSpotterOptions(cmd).action(async (opts: ListenOptions) => {
    await listen(withModelFiles(opts));
  });
}

async function listen(opts: ListenOptions): Promise<void> {
  const { frontEnd, run } = await openListenSession(opts);
  const saved = new Map<number, Int16Array[]>();
  const writes: Promise<void>[] = [];
  if (opts.saveStreams) ensurePrivateDir(opts.saveStreams); // recorded speech: for this user only

  frontEnd.on('detection', (d) =>
    printJsonLine({
      type: 'detection',
      keyword: d.keyword,
      score: round(d.score),
      beginIndex: d.beginIndex,
      endIndex: d.endIndex,
      time: seconds(d.detectedIndex),
    }),
  );
  frontEnd.on('stream-start', (s) => {
    printJsonLine({ type: 'stream-start', startIndex: s.startIndex, wakeWordIndices: s.wakeWordIndices, keyword: s.keyword, preRoll: s.preRoll });
    if (opts.saveStreams) saved.set(s.id, []);
  });
  frontEnd.on('stream-audio', (a) => saved.get(a.id)?.push(a.samples));
  frontEnd.on('stream-end', (e) => {
    printJsonLine({ type: 'stream-end', endIndex: e.endIndex, reason: e.reason });
    const pieces = saved.get(e.id);
    if (opts.saveStreams && pieces) {
      saved.delete(e.id);
      writes.push(writeWav16(path.join(opts.saveStreams, `stream-${e.id}.wav`), concatSamples(pieces), 1, SAMPLE_RATE));
    }
  });
  if (opts.scores) {
    frontEnd.on('scores', (s) => {
      const scores: Record<string, number> = {};
      for (const [k, v] of Object.entries(s.scores)) scores[k] = round(v);
      printJsonLine({ type: 'scores', endIndex: s.endIndex, scores });
    });
  }
  await run();
  await Promise.all(writes);
}


function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
