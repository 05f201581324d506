import type { FleetRow } from './protocol/cloud-socket.js';
import type { Cloud } from '../../cloud-link/cloud/cloud.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';

/** SearchDevices' page size and the most values one of its filters takes. */
const PAGE = 50;

interface DeviceData {
  DeviceArn: string;
  DeviceSerialNumber: string;
  DeviceType: string;
  DeviceName: string;
  RoomArn?: string;
  RoomName?: string;
  DeviceStatusInfo: { ConnectionStatus?: string | null; ConnectionStatusUpdatedTime?: number; SyncStatus: FleetRow['sync']; SyncDetail?: string };
}

export interface RoomInfo {
  arn: string;
  name: string;
  profileArn?: string;
  profileName?: string;
}

/**
 * The fleet as the cloud page shows it, read through the same Alexa for Business operations as the
 * HTTP API (SearchDevices, SearchRooms, SearchProfiles: none returns a secret), plus the last state
 * each device reported in its telemetry, which the registry does not keep.
 */
export class FleetView {
  readonly states = new Map<string, DeviceState>();

  constructor(private readonly cloud: Cloud) {}

  async all(): Promise<FleetRow[]> {
    return (await this.pages('SearchDevices', {}, 'Devices')).map((d) => this.row(d as DeviceData));
  }

  /** The rows of `ids` (those still registered), read PAGE at a time. */
  async rows(ids: readonly string[]): Promise<FleetRow[]> {
    const out: FleetRow[] = [];
    for (let i = 0; i < ids.length; i += PAGE) {
      const Values = ids.slice(i, i + PAGE);
      const page = (await this.cloud.call('SearchDevices', { MaxResults: PAGE, Filters: [{ Key: 'DeviceSerialNumber', Values }] })) as { Devices: DeviceData[] };
      out.push(...page.Devices.map((d) => this.row(d)));
    }
    return out;
  }

  async rooms(): Promise<RoomInfo[]> {
    const rooms = (await this.pages('SearchRooms', {}, 'Rooms')) as Array<{ RoomArn: string; RoomName: string; ProfileArn?: string; ProfileName?: string }>;
    return rooms.map((r) => ({ arn: r.RoomArn, name: r.RoomName, ...(r.ProfileArn ? { profileArn: r.ProfileArn } : {}), ...(r.ProfileName ? { profileName: r.ProfileName } : {}) }));
  }

  async profiles(): Promise<Array<{ arn: string; name: string }>> {
    const profiles = (await this.pages('SearchProfiles', {}, 'Profiles')) as Array<{ ProfileArn: string; ProfileName: string }>;
    return profiles.map((p) => ({ arn: p.ProfileArn, name: p.ProfileName }));
  }

  private async pages(operation: string, input: Record<string, unknown>, key: string): Promise<unknown[]> {
    const out: unknown[] = [];
    let NextToken: string | undefined;
    do {
      const page = (await this.cloud.call(operation, { ...input, MaxResults: PAGE, ...(NextToken ? { NextToken } : {}) })) as Record<string, unknown>;
      out.push(...((page[key] as unknown[] | undefined) ?? []));
      NextToken = page.NextToken as string | undefined;
    } while (NextToken);
    return out;
  }

  private row(d: DeviceData): FleetRow {
    const info = d.DeviceStatusInfo;
    const connection = info.ConnectionStatus === 'ONLINE' || info.ConnectionStatus === 'OFFLINE' ? info.ConnectionStatus : 'UNKNOWN';
    const state = this.states.get(d.DeviceSerialNumber);
    return {
      deviceId: d.DeviceSerialNumber,
      arn: d.DeviceArn,
      name: d.DeviceName,
      deviceType: d.DeviceType,
      ...(d.RoomName ? { room: d.RoomName } : {}),
      ...(d.RoomArn ? { roomArn: d.RoomArn } : {}),
      connection,
      ...(info.ConnectionStatusUpdatedTime === undefined ? {} : { lastSeen: info.ConnectionStatusUpdatedTime }),
      sync: info.SyncStatus,
      ...(info.SyncDetail ? { syncDetail: info.SyncDetail } : {}),
      ...(state ? { state } : {}),
    };
  }
}
