import { randomBytes } from 'node:crypto';

/**
 * clientTokens for the link's requests (shadow/get, shadow/update, jobs/{id}/update), so each answer
 * can be matched with its request: `<kind><boot>-<n>`, e.g. `g3f9a1c-17`.
 *
 * - `boot` is random per link instance: a persistent MQTT session may deliver, after a restart,
 *   answers to requests the previous boot made; they carry another boot id and are recognised as
 *   not ours instead of being mistaken for answers to this boot's requests.
 * - `n` grows with every request, so answers can be ordered: a later request's answer supersedes an
 *   earlier one's, whatever order they arrive in.
 *
 * At most 1 + 6 + 1 + 15 characters, well inside the protocol's 64.
 */
export class RequestTokens {
  private readonly prefix: string;
  private counter = 0;

  constructor(kind: string, boot: string = randomBytes(3).toString('hex')) {
    if (!/^[a-z]$/.test(kind)) throw new RangeError(`token kind must be one lower-case letter, got ${JSON.stringify(kind)}`);
    this.prefix = `${kind}${boot}-`;
  }

  /** A fresh token and its sequence number. */
  next(): { token: string; n: number } {
    const n = ++this.counter;
    return { token: `${this.prefix}${n}`, n };
  }

  /** The sequence number of one of this instance's tokens; undefined for anyone else's. */
  parse(token: string | undefined): number | undefined {
    if (token === undefined || !token.startsWith(this.prefix)) return undefined;
    const rest = token.slice(this.prefix.length);
    if (!/^[1-9][0-9]{0,14}$/.test(rest)) return undefined;
    const n = Number(rest);
    return n <= this.counter ? n : undefined;
  }
}
