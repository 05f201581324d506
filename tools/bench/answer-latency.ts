import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EchosimError } from '../../core/errors.js';
import { PocketsphinxRecognizer } from '../../cloud-link/cloud/speech/command-recognizer.js';
import { readWav, startSimulation } from '../harness/index.js';
import { DEFAULT_ENDPOINTER_OPTIONS } from '../../models/vad/endpointer.js';
import { cpuTicks, TICK_MS } from './proc-cpu.js';
import { quantile } from './stats.js';

export interface AnswerLatencyOptions {
  /** A folder of command WAVs with labels.tsv (file, voice, intent, slots, text), e.g. test/fixtures/commands. */
  commands: string;
  /** How many times each command is asked. */
  rounds: number;
  /** Real seconds the idle cloud is watched for CPU. */
  idleSeconds: number;
  progress?: (line: string) => void;
}

export interface AnswerLatencyResult {
  requests: number;
  /** Requests whose answer was played (NoMatch is answered too: "Sorry, ..."). */
  answered: number;
  /** Answered with the labelled intent. */
  right_intent: number;
  /** Real ms from the device's end of speech (its stream closing on end-of-speech) to the first answer sample handed to its speaker. */
  end_of_speech_to_answer_ms: { median: number; p90: number; min: number; max: number };
  /** The trailing silence the device's endpointer waits before it decides speech has ended. */
  endpointer_silence_ms: number;
  idle: {
    seconds: number;
    /** Resident pocketsphinx processes (the verifier's and the assistant's decoders). */
    pocketsphinx_processes: number;
    /** CPU they used while the device was idle, ms. */
    pocketsphinx_cpu_ms: number;
    /** CPU of this whole process (cloud, broker, idle device) in that time, ms. */
    process_cpu_ms: number;
  };
}

interface Command {
  file: string;
  intent: string;
}

/**
 * The time a person waits for an answer: one simulated device and the cloud (tools/harness) with its
 * assistant, each command asked by push-to-talk; for each, the real time from the device's end of
 * speech (its stream closing with `end-of-speech`) to the first answer sample reaching its speaker:
 * the last audio chunk and end over MQTT, recognition (two pocketsphinx decodes), the answer composed
 * and spoken by flite, the response over MQTT and decoded. Device time is audio time and waits while
 * the cloud works, so nothing of the device's own speed is in the figure. Then the device stays idle
 * and the CPU of the cloud's resident decoders is read from /proc.
 */
export async function runAnswerLatencyBench(opts: AnswerLatencyOptions): Promise<AnswerLatencyResult> {
  const missing = new PocketsphinxRecognizer().unavailable();
  if (missing) throw missing;
  const commands = readLabels(opts.commands);
  const sim = await startSimulation({ devices: 1, assistant: true, answerTimeoutMs: 20_000 });
  try {
    const echo = sim.device('device-1');
    const latencies: number[] = [];
    let requests = 0;
    let right = 0;
    for (let round = 0; round < opts.rounds; round++) {
      for (const c of commands) {
        requests++;
        const audio = await readWav(path.join(opts.commands, c.file));
        let endedAt: number | undefined;
        let answeredAt: number | undefined;
        let heard: string | undefined;
        const onIntent = (i: { name: string }): void => void (heard = i.name);
        const onEnd = (e: { reason: string }): void => void (e.reason === 'end-of-speech' && (endedAt = performance.now()));
        const onSound = (s: { label: string }): void => void (s.label === 'response' && answeredAt === undefined && (answeredAt = performance.now()));
        echo.on('stream-end', onEnd);
        echo.on('sound', onSound);
        echo.on('intent', onIntent);
        try {
          await echo.press('action');
          await echo.play(audio, { quietAfterMs: 1500 });
          await echo.waitFor('IDLE');
        } finally {
          echo.off('stream-end', onEnd);
          echo.off('sound', onSound);
          echo.off('intent', onIntent);
        }
        if (heard === c.intent) right++;
        if (endedAt !== undefined && answeredAt !== undefined) latencies.push(answeredAt - endedAt);
        opts.progress?.(`${requests}: ${c.file} ${heard ?? 'no intent'} ${answeredAt !== undefined && endedAt !== undefined ? `${Math.round(answeredAt - endedAt)} ms` : 'no answer'}`);
      }
    }
    const idle = await watchIdle(opts.idleSeconds);
    const sorted = [...latencies].sort((a, b) => a - b);
    const r = (x: number): number => Math.round(x);
    return {
      requests,
      answered: latencies.length,
      right_intent: right,
      end_of_speech_to_answer_ms: { median: r(quantile(sorted, 0.5)), p90: r(quantile(sorted, 0.9)), min: r(sorted[0] ?? 0), max: r(sorted.at(-1) ?? 0) },
      endpointer_silence_ms: DEFAULT_ENDPOINTER_OPTIONS.trailingSilenceMs,
      idle,
    };
  } finally {
    await sim.stop();
  }
}

/** CPU of the resident pocketsphinx decoders (children of this process) and of this process over `seconds` of idling. */
async function watchIdle(seconds: number): Promise<AnswerLatencyResult['idle']> {
  const decoders = childPids().filter((pid) => commOf(pid).startsWith('pocketsphinx'));
  const before = decoders.map((pid) => cpuTicks(pid));
  const self0 = cpuTicks('self');
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const used = decoders.reduce((sum, pid, i) => sum + (cpuTicks(pid) - before[i]!), 0);
  return { seconds, pocketsphinx_processes: decoders.length, pocketsphinx_cpu_ms: used * TICK_MS, process_cpu_ms: (cpuTicks('self') - self0) * TICK_MS };
}

function childPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.push(Number(name));
    } catch {
      // the process went away
    }
  }
  return out;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function readLabels(dir: string): Command[] {
  let text: string;
  try {
    text = readFileSync(path.join(dir, 'labels.tsv'), 'utf8');
  } catch {
    throw new EchosimError('CLI_ARGUMENT_INVALID', `${dir} has no labels.tsv`, { hint: 'Give a folder of command WAVs with labels.tsv (file, voice, intent, slots, text), e.g. test/fixtures/commands.' });
  }
  const rows = text.split('\n').slice(1).filter((l) => l.trim() !== '');
  return rows.map((l) => {
    const [file, , intent] = l.split('\t');
    return { file: file ?? '', intent: intent ?? '' };
  });
}
