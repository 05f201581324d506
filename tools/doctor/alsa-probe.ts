import { spawn } from 'node:child_process';
import { EchosimError } from '../../core/errors.js';
import { arecordArgs } from '../../hal/mic/alsa-source.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { aplayArgs } from '../../hal/speaker/aplay.js';
import { ok, type CheckResult, type DoctorContext } from './check.js';

const STDERR_LIMIT = 8192;

interface RunResult {
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly bytes: number;
  /** Largest |sample| of the s16le output (capture). */
  readonly peak: number;
  readonly timedOut: boolean;
  readonly spawnError?: NodeJS.ErrnoException;
}

/** Runs an ALSA tool to completion (or `timeoutMs`), counting its output and keeping its stderr's tail. */
function run(command: string, args: readonly string[], ctx: DoctorContext, input?: Buffer): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { env: ctx.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let bytes = 0;
    let peak = 0;
    let odd: number | undefined;
    let spawnError: NodeJS.ErrnoException | undefined;
    let timedOut = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (stderr = (stderr + s).slice(-STDERR_LIMIT)));
    child.stdout.on('data', (b: Buffer) => {
      let at = 0;
      if (odd !== undefined && b.length > 0) {
        peak = Math.max(peak, Math.abs(Buffer.from([odd, b[0]!]).readInt16LE(0)));
        at = 1;
        odd = undefined;
      }
      for (; at + 1 < b.length; at += 2) peak = Math.max(peak, Math.abs(b.readInt16LE(at)));
      if (at < b.length) odd = b[at];
      bytes += b.length;
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ctx.timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => (spawnError ??= err));
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stderr: stderr.trim(), bytes, peak, timedOut, ...(spawnError ? { spawnError } : {}) });
    });
  });
}

/**
 * What an ALSA tool's complaint means and what to do, from the messages alsa-lib and arecord/aplay
 * print (alsa-utils 1.2): the common failures on a Raspberry Pi with a ReSpeaker HAT or USB array.
 */
export function diagnoseAlsa(stderr: string, device: string, channels: number, direction: 'capture' | 'playback'): string {
  const tool = direction === 'capture' ? 'arecord' : 'aplay';
  if (/Device or resource busy/i.test(stderr)) {
    return `another program holds ${device} (\`fuser -v /dev/snd/*\` shows which): stop it (e.g. a running echosim service or PulseAudio), or give every reader a shared dsnoop device (docs/raspberry-pi.md, "Sharing the microphone")`;
  }
  if (/Channels count non available|channels.*not available/i.test(stderr)) {
    return `${device} cannot ${direction === 'capture' ? 'capture' : 'play'} ${channels} channel(s): use the count the card has (4-Mic HAT 4, 2-Mic HAT 2, USB array 6 with its 6-channel firmware) or a plughw: device, which converts`;
  }
  if (/Rate doesn't match|rate is not accurate|Sample format non available/i.test(stderr)) {
    return `${device} does not run at ${SAMPLE_RATE} Hz S16_LE: use its plughw: name (e.g. plughw:CARD=seeed2micvoicec,DEV=0), which converts`;
  }
  if (/cannot find card|Cannot get card index|No such device|no soundcards found/i.test(stderr)) {
    return `there is no such sound card: \`${tool} -l\` lists the cards (none: the HAT's driver is not loaded or the USB array is unplugged; see docs/raspberry-pi.md), then \`${tool} -L\` gives names for ${direction === 'capture' ? 'microphone.source' : 'speaker'}`;
  }
  if (/Unknown PCM/i.test(stderr)) return `ALSA knows no PCM called ${device}: \`${tool} -L\` lists the names it knows (a dsnoop device must be defined in /etc/asound.conf or ~/.asoundrc)`;
  if (/Permission denied/i.test(stderr)) return 'no permission on /dev/snd: `sudo usermod -aG audio $USER`, then log in again (the service unit adds the audio group itself)';
  return `check the name with \`${tool} -L\` and try it by hand: ${tool} -D ${device} ...`;
}

function alsaFailure(code: 'ALSA_CAPTURE_FAILED' | 'SPEAKER_UNAVAILABLE', what: string, r: RunResult, fix: string, device: string): EchosimError {
  return new EchosimError(code, `${what}: ${r.timedOut ? 'it did not finish in time' : `exit code ${String(r.exitCode)}`}${r.stderr ? `\n${lastLines(r.stderr)}` : ''}`, { hint: fix, details: { device } });
}

function lastLines(text: string, n = 2): string {
  return text.split('\n').slice(-n).join('\n');
}

function notInstalled(command: string, err: NodeJS.ErrnoException): EchosimError {
  return new EchosimError('ALSA_NOT_INSTALLED', `${command} was not found`, { hint: 'install alsa-utils: `sudo apt-get install alsa-utils`', cause: err });
}

/**
 * Captures one second from `device` with the same arecord command line the device uses, and says
 * what arrived: channels, rate, level. Silence in every sample is a warning (a muted capture
 * control, or the wrong channel).
 */
export async function probeCapture(device: string, channels: number, ctx: DoctorContext, command = 'arecord'): Promise<CheckResult> {
  const piece = 'microphone';
  const r = await run(command, [...arecordArgs(device, channels), '-d', '1'], ctx);
  if (r.spawnError) throw r.spawnError.code === 'ENOENT' ? notInstalled(command, r.spawnError) : r.spawnError;
  const expected = SAMPLE_RATE * channels * 2;
  if (r.exitCode !== 0 || r.bytes < expected) {
    throw alsaFailure('ALSA_CAPTURE_FAILED', `capturing from ${device} (${channels} ch, ${SAMPLE_RATE} Hz) failed`, r, diagnoseAlsa(r.stderr, device, channels, 'capture'), device);
  }
  const detail = `alsa:${device}: 1 s captured, ${channels} ch at ${SAMPLE_RATE} Hz`;
  if (r.peak === 0) {
    return { piece, status: 'warn', detail: `${detail}, but every sample is zero`, fix: 'the capture is silent: raise the capture level in `alsamixer -c CARD` (F4), or pick another channel (microphone.channel)' };
  }
  return ok(piece, `${detail}, peak ${(20 * Math.log10(r.peak / 32768)).toFixed(1)} dBFS`);
}

/** Plays 100 ms of silence on `device` with the device's own aplay command line. */
export async function probePlayback(device: string | undefined, ctx: DoctorContext, command = 'aplay'): Promise<CheckResult> {
  const name = device ?? 'default';
  const r = await run(command, aplayArgs(SAMPLE_RATE, device), ctx, Buffer.alloc((SAMPLE_RATE / 10) * 2));
  if (r.spawnError) throw r.spawnError.code === 'ENOENT' ? notInstalled(command, r.spawnError) : r.spawnError;
  if (r.exitCode !== 0) throw alsaFailure('SPEAKER_UNAVAILABLE', `playing on ${name} failed`, r, diagnoseAlsa(r.stderr, name, 1, 'playback'), name);
  return ok('speaker', `alsa:${name}: 100 ms of silence played`);
}
