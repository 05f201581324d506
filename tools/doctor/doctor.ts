import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { EchosimError } from '../../core/errors.js';
import { deviceModel } from '../../firmware/device-model.js';
import { parseMicSpec } from '../../hal/mic/open.js';
import type { SpiDeviceModule } from '../../hal/leds/spi-device-transport.js';
import { probeCapture, probePlayback } from './alsa-probe.js';
import { check, ok, skipped, type CheckResult, type DoctorContext } from './check.js';
import { checkBroker, checkCredentialsFile, type CloudTarget } from './cloud-check.js';
import { checkButtonLines, checkDataDir, checkLedPower, checkSpi } from './hardware-checks.js';
import { checkModels } from './model-check.js';

/** What a device is configured with, as far as the doctor cares (a config file and flags, merged). */
export interface DoctorTarget {
  readonly model: string;
  /** A --mic spec; default `alsa` (the default ALSA capture device). */
  readonly mic: string;
  readonly channels?: number;
  readonly speaker: string;
  readonly leds?: string;
  readonly buttons?: string;
  readonly gpio?: string;
  readonly keywords: readonly string[];
  readonly modelDir?: string;
  readonly dataDir?: string;
  readonly cloud?: CloudTarget;
}

export interface DoctorOptions extends Partial<DoctorContext> {
  /** Loads the spi-device addon (tests inject a stand-in; the real one needs a Raspberry Pi). */
  readonly loadSpiModule?: () => Promise<SpiDeviceModule>;
}

/** Every configured piece, opened the way the device opens it, in the order a person would fix them. */
export async function runDoctor(target: DoctorTarget, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const ctx: DoctorContext = { root: options.root ?? '/', env: options.env ?? process.env, timeoutMs: options.timeoutMs ?? 5000 };
  const model = deviceModel(target.model);
  const rows: CheckResult[] = [];
  rows.push(await checkMicrophone(target, ctx));
  rows.push(await checkSpeaker(target.speaker, ctx));
  if (target.leds === 'apa102') {
    rows.push(await checkSpi(ctx, options.loadSpiModule));
    rows.push(await checkLedPower(ctx));
  } else rows.push(skipped('LED ring', `leds: ${target.leds ?? 'none'} (no hardware to open)`));
  if (target.buttons === 'gpio') rows.push(await checkButtonLines(target.gpio ?? '17:action', model.buttons, ctx));
  else rows.push(skipped('GPIO buttons', `buttons: ${target.buttons ?? 'none'}`));
  rows.push(await checkModels(target.keywords, target.modelDir));
  rows.push(target.dataDir ? await checkDataDir(target.dataDir) : skipped('data directory', 'none configured: each run starts from a fresh temporary flash'));
  if (target.cloud) {
    const creds = await checkCredentialsFile(target.cloud);
    rows.push(creds);
    rows.push(creds.status === 'fail' ? skipped('cloud broker', 'needs the credentials file') : await checkBroker(target.cloud, ctx));
  } else rows.push(skipped('cloud broker', 'no cloud configured (offline or setup mode)'));
  return rows;
}

function checkMicrophone(target: DoctorTarget, ctx: DoctorContext): Promise<CheckResult> {
  return check('microphone', async () => {
    const spec = parseMicSpec(target.mic);
    if (spec.kind === 'alsa') return probeCapture(spec.device, target.channels ?? 1, ctx);
    if (spec.kind === 'wav') {
      for (const f of spec.files) await access(f, constants.R_OK).catch((err: Error) => Promise.reject(new EchosimError('WAV_UNREADABLE', `cannot read ${f}: ${err.message}`, { hint: 'fix microphone.source (a wav: path is relative to the config file)' })));
      return ok('microphone', `${target.mic}: ${spec.files.length} file(s) readable`);
    }
    return ok('microphone', `${target.mic}: not a sound card, nothing to open`);
  });
}

function checkSpeaker(speaker: string, ctx: DoctorContext): Promise<CheckResult> {
  const s = speaker.trim();
  if (s === 'none' || s === 'null') return Promise.resolve(skipped('speaker', 'speaker: none'));
  if (s === 'alsa' || s.startsWith('alsa:')) return check('speaker', () => probePlayback(s === 'alsa' ? undefined : s.slice('alsa:'.length), ctx));
  return Promise.resolve(ok('speaker', `${s}: a file, written at exit`));
}

/** 0 when nothing failed (warnings included), 1 otherwise: for scripts. */
export function doctorExitCode(rows: readonly CheckResult[]): number {
  return rows.some((r) => r.status === 'fail') ? 1 : 0;
}
