import { z } from 'zod';
import { PersistentState } from '../../core/persistent-state.js';
import { SettingsStore } from '../../core/settings-store.js';
import { flashBytes, tempFlash } from '../firmware/features/support.js';

const schema = z.object({ items: z.array(z.string()) });
type Doc = z.infer<typeof schema>;

/** Flash that refuses writes on demand (the storage layer is the lowest layer here). */
class FlakyStore extends SettingsStore<Doc> {
  failNext = false;
  override save(value: Doc): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('EIO: flash write failed'));
    }
    return super.save(value);
  }
}

describe('PersistentState', () => {
  const flash = tempFlash();
  const open = () => new FlakyStore(flash.dir(), 'doc', schema, () => ({ items: [] }));

  test('queued mutations apply in order on the latest value and are on flash when they resolve', async () => {
    const commits: string[][] = [];
    const state = new PersistentState(open(), (v) => commits.push([...v.items]));
    const results = await Promise.all(['a', 'b', 'c'].map((x) => state.update((d) => d.items.push(x))));
    expect(results).toEqual([1, 2, 3]);
    expect(commits).toEqual([['a'], ['a', 'b'], ['a', 'b', 'c']]);
    expect(open().load().value).toEqual({ items: ['a', 'b', 'c'] });
  });

  test('a mutation that throws changes neither memory nor flash, and later ones still run', async () => {
    const state = new PersistentState(open());
    await state.update((d) => d.items.push('kept'));
    const bytes = flashBytes(flash.dir());
    const failing = state.update((d) => {
      d.items.push('half-done');
      throw new Error('not found');
    });
    const next = state.update((d) => d.items.length);
    await expect(failing).rejects.toThrow('not found');
    expect(state.value).toEqual({ items: ['kept'] });
    expect(flashBytes(flash.dir())).toEqual(bytes);
    await expect(next).resolves.toBe(1);
  });

  test('a failed write rolls nothing forward, unless the change is a fact that already happened', async () => {
    const store = open();
    const state = new PersistentState(store);
    store.failNext = true;
    await expect(state.update((d) => d.items.push('user edit'))).rejects.toThrow('EIO');
    expect(state.value.items).toEqual([]);
    store.failNext = true;
    await expect(state.update((d) => d.items.push('timer rang'), { commitOnSaveFailure: true })).rejects.toThrow('EIO');
    expect(state.value.items).toEqual(['timer rang']);
    expect(open().load().value.items).toEqual([]);
    // The next successful save writes the whole document and catches the flash up.
    await state.update((d) => d.items.push('next'));
    expect(open().load().value.items).toEqual(['timer rang', 'next']);
  });

  test('close() waits for queued writes and then refuses new ones', async () => {
    const state = new PersistentState(open());
    const pending = state.update((d) => d.items.push('last'));
    await state.close();
    await expect(pending).resolves.toBe(1);
    expect(open().load().value.items).toEqual(['last']);
    await expect(state.update((d) => d.items.push('late'))).rejects.toMatchObject({ code: 'DEVICE_NOT_RUNNING' });
  });
});
