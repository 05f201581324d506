import path from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../../hal/package-root.js';
import { SAMPLE_RATE } from '../../hal/mic/types.js';
import { openListenSession, seconds } from '../listen-session.js';
import { DEFAULT_SPOTTER_OPTIONS } from '../spotter-options.js';

export const DEMO_WAV = 'test/fixtures/demo/alexa-demo.wav';

/**
 * The main job on its embedded defaults: a simulated device hears the bundled demo utterance through
 * the whole front end (mic source, ring buffer, openWakeWord, pre-roll, Silero end-pointing).
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('hear the bundled "Alexa, ..." utterance through the full pipeline and narrate what the device does')
    .option('--fast', 'do not wait for real time')
    .action(async (opts: { fast?: boolean }) => {
      const wav = path.join(packageRoot(), DEMO_WAV);
      const out = (line: string): void => void process.stdout.write(`${line}\n`);
      out(`echosim demo: a simulated echo-dot-3 hears ${path.relative(process.cwd(), wav) || wav}`);
      out(opts.fast ? '  (as fast as possible)' : '  (in real time; add --fast to skip the waiting)');
      const { frontEnd, run } = await openListenSession({
        ...DEFAULT_SPOTTER_OPTIONS,
        mic: `wav:${wav}`,
        fast: opts.fast === true,
        maxStream: 8,
        vad: true,
      });
      out(`  ${stamp(0)}  idle: listening for "alexa" on the device, nothing leaves it`);
      let streamed = 0;
      frontEnd.on('detection', (d) =>
        out(
          `  ${stamp(d.detectedIndex)}  wake word "${d.keyword}" (score ${d.score.toFixed(2)}), heard at ${seconds(d.beginIndex).toFixed(2)}-${seconds(d.endIndex).toFixed(2)} s`,
        ),
      );
      frontEnd.on('stream-start', (s) =>
        out(
          `  ${stamp(s.detection?.detectedIndex ?? s.startIndex)}  streaming from ${seconds(s.startIndex).toFixed(2)} s, ${s.preRoll.availableSamples / 16} ms before the wake word` +
            ` (wakeWordIndices ${s.wakeWordIndices?.startIndexInSamples}-${s.wakeWordIndices?.endIndexInSamples})`,
        ),
      );
      frontEnd.on('stream-audio', (a) => (streamed += a.samples.length));
      frontEnd.on('stream-end', (e) =>
        out(`  ${stamp(e.endIndex)}  stream closed: ${e.reason}, ${(streamed / SAMPLE_RATE).toFixed(2)} s of audio would go to the cloud`),
      );
      await run();
      out('');
      out('Try it on your own audio:');
      out('  npx echosim listen --mic wav:your.wav --fast      # JSON lines: detections and streams');
      out('  npx echosim listen --mic alsa                     # a real microphone through arecord');
    });
}

function stamp(index: number): string {
  return `${seconds(index).toFixed(2).padStart(6)} s`;
}
