import { z } from 'zod';
import { IdSchema, limitExceeded, notFound, parseInput } from './input.js';
import type { PersistentState } from '../../core/persistent-state.js';

import { LIST_NAMES, MAX_ITEM_TEXT, type ListName } from '../../cloud-link/protocol/local-feature-limits.js';

// The lists' names and the item text limit are the contract's (local commands add items too).
export { LIST_NAMES, MAX_ITEM_TEXT, type ListName } from '../../cloud-link/protocol/local-feature-limits.js';

export const MAX_LIST_ITEMS = 100;

const ListItemSchema = z.object({
  id: z.string(),
  text: z.string(),
  completed: z.boolean(),
  createdAt: z.number().finite(),
  completedAt: z.number().finite().nullable(),
});
export type ListItem = z.infer<typeof ListItemSchema>;

export const ListsStateSchema = z.object({
  /** Never reused, not even after a reset. */
  nextId: z.number().int().positive(),
  shopping: z.array(ListItemSchema),
  todo: z.array(ListItemSchema),
});
export type ListsState = z.infer<typeof ListsStateSchema>;

export function defaultListsState(): ListsState {
  return { nextId: 1, shopping: [], todo: [] };
}

const ListNameSchema = z.enum(LIST_NAMES);
const TextSchema = z.string().trim().min(1).max(MAX_ITEM_TEXT);
const LIST_HINT = `Use one of the lists ${LIST_NAMES.join(', ')} and an id from items().`;

/**
 * The shopping and to-do lists ("Alexa, add milk to my shopping list"). Items keep their order of
 * insertion; completing one keeps it on the list, ticked, until it is removed or the lists are reset.
 */
export class Lists {
  constructor(
    private readonly state: PersistentState<ListsState>,
    private readonly wallNow: () => number,
  ) {}

  /** Adds an item (text trimmed, 1..256 characters) at the end of `list`. */
  async add(list: ListName, text: string): Promise<ListItem> {
    const input = parseInput(
      z.object({ list: ListNameSchema, text: TextSchema }),
      { list, text },
      'list item',
      `Use one of the lists ${LIST_NAMES.join(', ')} and a text of 1 to ${MAX_ITEM_TEXT} characters.`,
    );
    const now = this.wallNow();
    return this.state.update((draft) => {
      const items = draft[input.list];
      if (items.length >= MAX_LIST_ITEMS) {
        throw limitExceeded(`the ${input.list} list`, MAX_LIST_ITEMS, 'Remove or complete-and-remove items first.');
      }
      const item: ListItem = { id: `item-${draft.nextId++}`, text: input.text, completed: false, createdAt: now, completedAt: null };
      items.push(item);
      return structuredClone(item);
    });
  }

  /** Ticks an item off (idempotent: completing a completed item keeps its first completion time). */
  async complete(list: ListName, id: string): Promise<ListItem> {
    const input = this.parseRef(list, id);
    const now = this.wallNow();
    return this.state.update((draft) => {
      const item = draft[input.list].find((i) => i.id === input.id);
      if (!item) throw notFound(`${input.list} list item`, input.id, LIST_HINT);
      if (!item.completed) {
        item.completed = true;
        item.completedAt = now;
      }
      return structuredClone(item);
    });
  }

  /** Removes an item; resolves with it as it was. */
  async remove(list: ListName, id: string): Promise<ListItem> {
    const input = this.parseRef(list, id);
    return this.state.update((draft) => {
      const items = draft[input.list];
      const i = items.findIndex((it) => it.id === input.id);
      const item = items[i];
      if (!item) throw notFound(`${input.list} list item`, input.id, LIST_HINT);
      items.splice(i, 1);
      return structuredClone(item);
    });
  }

  /** The items of `list` in the order they were added. */
  items(list: ListName): ListItem[] {
    const name = parseInput(ListNameSchema, list, 'list', LIST_HINT);
    return structuredClone(this.state.value[name]);
  }

  /** Reset LISTS: both lists emptied. */
  async clear(): Promise<void> {
    await this.state.update((draft) => {
      draft.shopping = [];
      draft.todo = [];
    });
  }

  snapshot(): Pick<ListsState, ListName> {
    const { shopping, todo } = this.state.value;
    return structuredClone({ shopping, todo });
  }

  private parseRef(list: ListName, id: string): { list: ListName; id: string } {
    return parseInput(z.object({ list: ListNameSchema, id: IdSchema }), { list, id }, 'list item reference', LIST_HINT);
  }
}
