import type { RecordingMetaStore } from '../db/recording-meta-store.js';
import type { RecordingStore } from '../recordings/recording-store.js';

/**
 * "Alexa, delete what I just said" / "... everything I said today" (docs/privacy.md#recordings): the
 * device's latest kept recording, or every one made since local midnight in the device's time zone, is
 * deleted, metadata and audio file both. The request that asks is itself never kept. Returns how many
 * recordings were deleted.
 */
export async function deleteByVoice(
  stores: { metas: RecordingMetaStore; files: RecordingStore },
  deviceId: string,
  which: 'last' | 'today',
  now: number,
  timeZone: string | undefined,
): Promise<number> {
  const mine = stores.metas.list(deviceId); // oldest first
  const today = localDate(now, timeZone);
  const chosen = which === 'last' ? mine.slice(-1) : mine.filter((m) => localDate(m.createdAt, timeZone) === today);
  if (chosen.length === 0) return 0;
  const ids = chosen.map((m) => m.id);
  stores.metas.delete(ids);
  await stores.files.delete(ids);
  return ids.length;
}

function localDate(ms: number, timeZone: string | undefined): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone ?? 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
  } catch {
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
  }
}
