import { jest } from '@jest/globals';
import WebSocket from 'ws';
import { deviceArn } from '../../../cloud-link/cloud/a4b/arn.js';
import { CloudWeb, ROW_FLUSH_MS } from '../../../tools/web/cloud-web.js';
import type { CloudServerMessage, FleetRow } from '../../../tools/web/protocol/cloud-socket.js';
import { startTestCloud, type TestCloud } from '../../cloud-link/cloud/cloud-fixture.js';
import { waitUntil } from '../../support/mosquitto.js';

/**
 * How the cloud page's rows follow the registry while a page is open (tools/web/cloud-web.ts): the
 * whole fleet is listed once, in the snapshot a client gets when it connects; after that a change
 * reaches the page as one `devices` message holding only the rows that changed, each once however
 * often it changed within ROW_FLUSH_MS. Time is a VirtualClock: nothing is sent until it is advanced.
 */
let t: TestCloud;
let web: CloudWeb;
let page: PageClient;
let hall: string;
let attic: string;
const ids = ['row-1', 'row-2', 'row-3'];

/** A page's socket: everything it was sent, in order. */
class PageClient {
  readonly messages: CloudServerMessage[] = [];
  private nextId = 1;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as CloudServerMessage));
  }

  static async open(url: string, token: string): Promise<PageClient> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}ws`);
    const client = new PageClient(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'auth', token }));
    await waitUntil(() => client.messages.some((m) => m.type === 'snapshot'), 'the snapshot');
    return client;
  }

  /**
   * Everything the server sent up to now: a command's result comes after whatever was sent before it
   * on the same socket, so once it is here nothing earlier is still on its way.
   */
  async settled(): Promise<CloudServerMessage[]> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type: 'list-recordings', id, deviceArn: deviceArn(ids[0] ?? '') }));
    await waitUntil(() => this.messages.some((m) => m.type === 'result' && m.id === id), `the result of command ${id}`);
    return this.messages.filter((m) => m.type !== 'result');
  }

  /** The messages from index `from` on, results left out. */
  async since(from: number): Promise<CloudServerMessage[]> {
    return (await this.settled()).slice(from);
  }

  close(): void {
    this.ws.close();
  }
}

const rowsOf = (messages: CloudServerMessage[]): FleetRow[][] => messages.flatMap((m) => (m.type === 'devices' ? [m.devices] : []));
const associate = (id: string, room: string): Promise<unknown> => t.call('AssociateDeviceWithRoom', { DeviceArn: deviceArn(id), RoomArn: room });

beforeAll(async () => {
  t = await startTestCloud();
  for (const id of ids) await t.register(id);
  hall = (await t.call('CreateRoom', { RoomName: 'Hall' })).RoomArn as string;
  attic = (await t.call('CreateRoom', { RoomName: 'Attic' })).RoomArn as string;
  web = await CloudWeb.start(t.cloud, { host: '127.0.0.1', port: 0 }, { clock: t.clock });
  page = await PageClient.open(web.url, t.cloud.adminToken);
}, 60_000);

afterAll(async () => {
  page?.close();
  await web?.close();
  await t?.stop();
});

afterEach(() => jest.restoreAllMocks());

test('a client gets the whole fleet once, in its snapshot', async () => {
  const messages = await page.settled();
  expect(messages.map((m) => m.type)).toEqual(['snapshot']);
  const snapshot = messages[0] as Extract<CloudServerMessage, { type: 'snapshot' }>;
  expect(snapshot.devices.map((d) => d.deviceId).sort()).toEqual(ids);
  expect(snapshot.rooms.map((r) => r.name).sort()).toEqual(['Attic', 'Hall']);
});

test('a change reaches the open page as one incremental update: the changed row alone, no listing of the fleet', async () => {
  const from = (await page.settled()).length;
  const calls = jest.spyOn(t.cloud, 'call');
  await associate('row-1', hall);
  expect(rowsOf(await page.since(from))).toEqual([]); // gathered until the flush
  await t.clock.advance(ROW_FLUSH_MS);
  const after = await page.since(from);
  expect(after.map((m) => m.type)).toEqual(['devices']);
  const [rows] = rowsOf(after);
  expect(rows).toEqual([expect.objectContaining({ deviceId: 'row-1', room: 'Hall', roomArn: hall, sync: 'PENDING' })]);
  // the page's own reads: one SearchDevices narrowed to the changed serial, never the fleet's listing
  const reads = calls.mock.calls.filter(([op]) => op === 'SearchDevices').map(([, input]) => input);
  expect(reads).toEqual([expect.objectContaining({ Filters: [{ Key: 'DeviceSerialNumber', Values: ['row-1'] }] })]);
});

test('a burst of changes is coalesced: one message, each changed row once, as it ended', async () => {
  const from = (await page.settled()).length;
  const calls = jest.spyOn(t.cloud, 'call');
  await associate('row-2', hall);
  await associate('row-2', attic);
  await t.call('DisassociateDeviceFromRoom', { DeviceArn: deviceArn('row-2') });
  await associate('row-2', attic);
  await associate('row-3', hall);
  await t.clock.advance(ROW_FLUSH_MS);
  const after = await page.since(from);
  expect(after.map((m) => m.type)).toEqual(['devices']);
  const [rows = []] = rowsOf(after);
  expect(rows.map((r) => r.deviceId).sort()).toEqual(['row-2', 'row-3']);
  expect(rows.find((r) => r.deviceId === 'row-2')).toMatchObject({ room: 'Attic', roomArn: attic });
  expect(rows.find((r) => r.deviceId === 'row-3')).toMatchObject({ room: 'Hall', roomArn: hall });
  const reads = calls.mock.calls.filter(([op]) => op === 'SearchDevices');
  expect(reads).toHaveLength(1);
  // nothing changed since: the next flush period sends nothing
  await t.clock.advance(ROW_FLUSH_MS * 3);
  expect((await page.since(from)).map((m) => m.type)).toEqual(['devices']);
});
