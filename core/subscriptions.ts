import type { EventEmitter } from 'node:events';

/**
 * Listeners a component adds to emitters it does not own, remembered so that stop() removes every one
 * of them (a stopped device must not keep reacting, nor keep its emitters' listener lists growing).
 */
export class Subscriptions {
  private readonly removers: Array<() => void> = [];

  on<T extends Record<keyof T, unknown[]>, K extends keyof T & string>(
    emitter: EventEmitter<T>,
    event: K,
    listener: (...args: T[K]) => void,
  ): void {
    const untyped = emitter as unknown as EventEmitter;
    const fn = listener as (...args: unknown[]) => void;
    untyped.on(event, fn);
    this.removers.push(() => untyped.off(event, fn));
  }

  /** For emitters typed as interfaces (e.g. the cloud link): the caller supplies the remover. */
  add(remove: () => void): void {
    this.removers.push(remove);
  }

  removeAll(): void {
    for (const remove of this.removers.splice(0)) remove();
  }
}
