/**
 * The one audio format inside echosim: 16 kHz, signed 16-bit samples. The microphones deliver it, the
 * models and the front end consume it, the speaker plays it, and the device-cloud contract puts it on
 * the wire (utterance start messages carry `sampleRate`, which must be this). Declared here because
 * the hardware layer, the models and the contract all need it and none of them may import the others.
 */
export const SAMPLE_RATE = 16_000;

/** The RMS, in int16 units, of a signal at `dbfs` (0 dBFS: full scale, 32768). */
export function dbfsToRms(dbfs: number): number {
  return 32768 * 10 ** (dbfs / 20);
}
