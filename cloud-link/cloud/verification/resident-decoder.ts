import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EchosimError } from '../../../core/errors.js';

export interface ResidentDecoderOptions {
  /** pocketsphinx_batch (default: found on PATH). */
  readonly binary: string;
  /** The acoustic model folder (`-hmm`). */
  readonly hmm: string;
  /** The search: dictionary lines (`word PH ON ES`) and the arguments that select it (`-keyphrase ...`, `-jsgf FILE`). */
  readonly dictionary: readonly string[];
  readonly search: (dir: string) => string[];
  /** Checks waiting beyond the one being decoded; more are refused with KEYPHRASE_BUSY. */
  readonly maxQueued: number;
  /** A decode taking longer kills the process (KEYPHRASE_FAILED); the next check starts a new one. */
  readonly timeoutMs: number;
}

interface Pending {
  readonly id: string;
  readonly resolve: (result: DecodeResult) => void;
  readonly reject: (err: EchosimError) => void;
}

/** A decoded window: the hypothesis and its path score (pocketsphinx's log scale; 0 when none was given). */
export interface DecodeResult {
  readonly hyp: string;
  readonly score: number;
}

const HYP_LINE = /^(.*?)\s*\((u\d+)(?:\s+(-?\d+))?\)\s*$/;
const MAX_LINE = 4096;

/**
 * One long-running `pocketsphinx_batch` with a fixed search, fed one window at a time: its control
 * file and its hypothesis file are FIFOs in a private temporary folder, each window a raw 16 kHz
 * file there, decoded as its own utterance with batch cepstral normalisation (`-cmn batch`, so a
 * verdict never depends on another utterance's audio) and removed once decoded. This saves the
 * model load that a process per check pays (0.12 s CPU; the decode itself is ~0.035 x real time).
 * Windows are decoded in order, one at a time; the FIFOs are opened read-write so that no open
 * blocks, and read through a non-blocking pipe handle.
 */
export class ResidentDecoder {
  private child: ChildProcess | undefined;
  private dir: string | undefined;
  private ctl: number | undefined;
  private hyp: net.Socket | undefined;
  private buffered = '';
  private readonly queue: Pending[] = [];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: ResidentDecoderOptions) {}

  /** The hypothesis for one window ('' when the search found nothing). */
  async decode(audio: Int16Array): Promise<string> {
    return (await this.decodeScored(audio)).hyp;
  }

  /** The hypothesis for one window and its path score. */
  decodeScored(audio: Int16Array): Promise<DecodeResult> {
    if (this.closed) return Promise.reject(new EchosimError('KEYPHRASE_FAILED', 'the recognizer is closed', { hint: 'Create a new spotter.' }));
    if (this.queue.length > this.options.maxQueued) {
      return Promise.reject(
        new EchosimError('KEYPHRASE_BUSY', `${this.queue.length - 1} keyphrase checks are already waiting`, { hint: 'The cloud is busier than its recognizer: the head decided alone.' }),
      );
    }
    return new Promise((resolve, reject) => {
      try {
        this.ensureRunning();
        const id = `u${this.next++}`;
        writeFileSync(path.join(this.dir!, `${id}.raw`), new Uint8Array(audio.buffer, audio.byteOffset, audio.byteLength), { mode: 0o600 });
        this.queue.push({ id, resolve, reject });
        writeSync(this.ctl!, `${id}\n`);
        this.arm();
      } catch (err) {
        reject(err instanceof EchosimError ? err : new EchosimError('KEYPHRASE_FAILED', `cannot feed pocketsphinx: ${(err as Error).message}`, { cause: err }));
      }
    });
  }

  /** Process id of the running decoder (for CPU accounting), if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  close(): void {
    this.closed = true;
    this.stop(new EchosimError('KEYPHRASE_FAILED', 'the recognizer was closed', { hint: 'The cloud is stopping.' }));
  }

  private ensureRunning(): void {
    if (this.child) return;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-pocketsphinx-'));
    this.dir = dir;
    const ctlPath = path.join(dir, 'ctl.fifo');
    const hypPath = path.join(dir, 'hyp.fifo');
    const made = spawnSync('mkfifo', ['-m', '600', ctlPath, hypPath]);
    if (made.status !== 0) throw new EchosimError('KEYPHRASE_UNAVAILABLE', `cannot make FIFOs for pocketsphinx: ${String(made.stderr ?? made.error)}`, { hint: 'mkfifo (coreutils) must be installed.' });
    writeFileSync(path.join(dir, 'words.dict'), `${this.options.dictionary.join('\n')}\n`);
    // Read-write opens of a FIFO never block (Linux); our end of ctl stays open, so the decoder waits for more lines.
    this.ctl = openSync(ctlPath, 'r+');
    this.hyp = new net.Socket({ fd: openSync(hypPath, 'r+'), readable: true, writable: false });
    this.hyp.setEncoding('utf8');
    this.hyp.on('data', (d: string) => this.onHyp(d));
    this.hyp.on('error', () => undefined);
    this.hyp.unref();
    const args = [
      '-hmm', this.options.hmm, '-dict', path.join(dir, 'words.dict'), ...this.options.search(dir),
      '-cmn', 'batch', '-ctl', ctlPath, '-cepdir', dir, '-cepext', '.raw', '-adcin', 'yes', '-adchdr', '0', '-hyp', hypPath, '-logfn', '/dev/null',
    ];
    const child = spawn(this.options.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let err = '';
    child.stderr?.on('data', (d: Buffer) => void (err.length < 2000 && (err += d.toString())));
    (child.stderr as net.Socket | null)?.unref();
    child.on('error', (cause) => this.exited(child, new EchosimError('KEYPHRASE_UNAVAILABLE', `cannot run ${this.options.binary}: ${cause.message}`, { cause, hint: 'sudo apt install pocketsphinx pocketsphinx-en-us (tools/setup.sh does)' })));
    child.on('exit', (code, signal) =>
      this.exited(child, new EchosimError('KEYPHRASE_FAILED', `${this.options.binary} stopped (${signal ?? `exit status ${String(code)}`}): ${err.trim().slice(-200)}`, { hint: 'Check the pocketsphinx installation (pocketsphinx_batch -h).' })),
    );
    child.unref();
  }

  private onHyp(data: string): void {
    this.buffered += data;
    if (this.buffered.length > 64 * MAX_LINE) return this.stop(new EchosimError('KEYPHRASE_FAILED', 'pocketsphinx wrote more than expected', { hint: 'Check the pocketsphinx installation.' }));
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      const m = HYP_LINE.exec(line.slice(0, MAX_LINE));
      const head = this.queue[0];
      if (!m || !head || m[2] !== head.id) continue; // windows are decoded in order; anything else is noise
      this.queue.shift();
      rmSync(path.join(this.dir!, `${head.id}.raw`), { force: true });
      head.resolve({ hyp: m[1]!.trim(), score: m[3] === undefined ? 0 : Number(m[3]) });
      this.arm();
    }
  }

  /** One timer for the window being decoded; the process stays alive while a check waits, not otherwise. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) {
      this.hyp?.unref();
      return;
    }
    this.hyp?.ref();
    this.timer = setTimeout(
      () => this.stop(new EchosimError('KEYPHRASE_FAILED', `pocketsphinx took more than ${this.options.timeoutMs} ms for one window`, { hint: 'The machine is overloaded; the head decided alone.' })),
      this.options.timeoutMs,
    );
    this.timer.unref();
  }

  private exited(child: ChildProcess, err: EchosimError): void {
    if (this.child === child) this.stop(err);
  }

  /** Kills the decoder, fails whatever waits, removes its folder; the next decode starts afresh. */
  private stop(err: EchosimError): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.hyp?.destroy();
    this.hyp = undefined;
    if (this.ctl !== undefined) closeSync(this.ctl);
    this.ctl = undefined;
    this.buffered = '';
    for (const p of this.queue.splice(0)) p.reject(err);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
