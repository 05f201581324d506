import { ARN_PREFIX } from '../../../../cloud-link/cloud/a4b/arn.js';
import { desiredChangedFor, expectA4bError, jsonText, NETWORK, NEXT_WIFI_PASSWORD, openHarness, WIFI_PASSWORD, type Harness } from './helpers.js';

let h: Harness;
beforeEach(() => {
  h = openHarness();
});
afterEach(() => h.cleanup());

const PEM = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64)}\n${'B'.repeat(20)}==\n-----END CERTIFICATE-----\n`;

describe('CreateNetworkProfile / GetNetworkProfile', () => {
  test('creates a profile; Get returns everything but the passwords', async () => {
    const { NetworkProfileArn } = await h.call('CreateNetworkProfile', { ...NETWORK, NextPassword: NEXT_WIFI_PASSWORD });
    expect(NetworkProfileArn).toMatch(new RegExp(`^${ARN_PREFIX}network-profile/[0-9a-f]{32}$`));
    const got = await h.call('GetNetworkProfile', { NetworkProfileArn });
    expect(got).toEqual({
      NetworkProfile: { NetworkProfileArn, NetworkProfileName: 'Office Wi-Fi', Description: 'main floor', Ssid: 'corp-net', SecurityType: 'WPA2_PSK' },
    });
    expect(jsonText(got)).not.toContain(WIFI_PASSWORD);
    expect(jsonText(got)).not.toContain(NEXT_WIFI_PASSWORD);
  });

  test('an enterprise profile carries EAP-TLS, its CA and trust anchors', async () => {
    const input = {
      NetworkProfileName: 'Enterprise',
      Ssid: 'corp-secure',
      SecurityType: 'WPA2_ENTERPRISE',
      EapMethod: 'EAP_TLS',
      CertificateAuthorityArn: 'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/abc',
      TrustAnchors: [PEM],
    };
    const { NetworkProfileArn } = await h.call('CreateNetworkProfile', input);
    const { ClientRequestToken: _t, ...expected } = { ...input, ClientRequestToken: undefined };
    expect((await h.call('GetNetworkProfile', { NetworkProfileArn })).NetworkProfile).toEqual({ NetworkProfileArn, ...expected });
  });

  test.each([
    [{ SecurityType: 'OPEN' }, /CurrentPassword: an OPEN network has no password/],
    [{ CurrentPassword: undefined }, /CurrentPassword: WPA2_PSK needs a CurrentPassword/],
    [{ SecurityType: 'WPA2_ENTERPRISE', CurrentPassword: undefined }, /EapMethod: WPA2_ENTERPRISE needs EapMethod/],
    [{ CurrentPassword: 'abcd' }, /CurrentPassword/],
    [{ CurrentPassword: 'pässwörd-with-umlauts' }, /CurrentPassword: must be printable ASCII/],
    [{ NextPassword: 'abc' }, /NextPassword: must be empty or at least 5/],
    [{ Ssid: 'x'.repeat(33) }, /Ssid/],
    [{ SecurityType: 'WPA3' }, /SecurityType/],
    [{ EapMethod: 'EAP_TLS' }, /EapMethod applies to WPA2_ENTERPRISE only/],
    [{ TrustAnchors: ['not a certificate'] }, /TrustAnchors\[0\]: must be one PEM certificate/],
    [{ Description: 'd'.repeat(201) }, /Description/],
  ])('invalid %j is a ValidationException naming the field', async (patch, message) => {
    const err = await expectA4bError(h.call('CreateNetworkProfile', { ...NETWORK, ...patch }), 'ValidationException', message);
    expect(err.message).not.toContain(WIFI_PASSWORD);
  });

  test('a too-long password is refused without echoing it', async () => {
    const long = `Secret-${'z'.repeat(150)}`;
    const err = await expectA4bError(h.call('CreateNetworkProfile', { ...NETWORK, CurrentPassword: long }), 'ValidationException');
    expect(err.message).not.toContain('zzzz');
  });

  test('names are unique; unknown ARNs are NotFound', async () => {
    await h.call('CreateNetworkProfile', NETWORK);
    await expectA4bError(h.call('CreateNetworkProfile', NETWORK), 'NameInUseException');
    await expectA4bError(h.call('GetNetworkProfile', { NetworkProfileArn: `${ARN_PREFIX}network-profile/abc` }), 'NotFoundException');
  });

  test('ClientRequestToken: same request same answer; the password is part of the request', async () => {
    const input = { ...NETWORK, ClientRequestToken: 'net-token-00001' };
    const a = await h.call('CreateNetworkProfile', input);
    expect(await h.call('CreateNetworkProfile', input)).toEqual(a);
    await expectA4bError(h.call('CreateNetworkProfile', { ...input, CurrentPassword: 'different-pass' }), 'IdempotentParameterMismatchException');
  });
});

describe('UpdateNetworkProfile', () => {
  test('Ssid and SecurityType cannot be updated', async () => {
    const { NetworkProfileArn } = await h.call('CreateNetworkProfile', NETWORK);
    await expectA4bError(h.call('UpdateNetworkProfile', { NetworkProfileArn, Ssid: 'other' }), 'ValidationException', /Ssid: cannot be updated/);
    await expectA4bError(
      h.call('UpdateNetworkProfile', { NetworkProfileArn, SecurityType: 'OPEN' }),
      'ValidationException',
      /SecurityType: cannot be updated/,
    );
    await expectA4bError(h.call('UpdateNetworkProfile', { NetworkProfileArn, Bogus: 1 }), 'ValidationException', /Bogus/);
  });

  test('password rotation reaches the devices using the profile, and only them', async () => {
    const { NetworkProfileArn } = await h.call('CreateNetworkProfile', NETWORK);
    const other = await h.call('CreateNetworkProfile', { ...NETWORK, NetworkProfileName: 'Other', CurrentPassword: 'other-pass-1' });
    for (const [serial, arn] of [
      ['A1', NetworkProfileArn],
      ['A2', NetworkProfileArn],
      ['B1', other.NetworkProfileArn],
    ] as const) {
      await h.call('RegisterDevice', { DeviceSerialNumber: serial, DeviceType: 'echo-dot-3', DeviceName: `Device ${serial}`, NetworkProfileArn: arn });
    }
    expect(h.service.desiredStateFor('A1').networkProfile).toEqual({
      NetworkProfileName: 'Office Wi-Fi',
      Description: 'main floor',
      Ssid: 'corp-net',
      SecurityType: 'WPA2_PSK',
      CurrentPassword: WIFI_PASSWORD,
    });
    h.events.length = 0;
    await h.call('UpdateNetworkProfile', { NetworkProfileArn, NextPassword: NEXT_WIFI_PASSWORD });
    expect(desiredChangedFor(h.events)).toEqual(['A1', 'A2']);
    expect(h.service.desiredStateFor('A2').networkProfile).toMatchObject({ CurrentPassword: WIFI_PASSWORD, NextPassword: NEXT_WIFI_PASSWORD });
    expect(h.service.desiredStateFor('B1').networkProfile).toMatchObject({ CurrentPassword: 'other-pass-1' });
    expect(h.service.desiredStateFor('B1').networkProfile).not.toHaveProperty('NextPassword');

    // the network changed: the next password becomes the current one, the rotation ends
    await h.call('UpdateNetworkProfile', { NetworkProfileArn, CurrentPassword: NEXT_WIFI_PASSWORD, NextPassword: '' });
    const after = h.service.desiredStateFor('A1').networkProfile;
    expect(after).toMatchObject({ CurrentPassword: NEXT_WIFI_PASSWORD });
    expect(after).not.toHaveProperty('NextPassword');

    // renaming is a change devices see; repeating nothing is not
    h.events.length = 0;
    await h.call('UpdateNetworkProfile', { NetworkProfileArn, Description: 'main floor' });
    expect(desiredChangedFor(h.events)).toEqual([]);
    await h.call('UpdateNetworkProfile', { NetworkProfileArn, NetworkProfileName: 'Office' });
    expect(desiredChangedFor(h.events)).toEqual(['A1', 'A2']);
    await expectA4bError(h.call('UpdateNetworkProfile', { NetworkProfileArn, NetworkProfileName: 'Other' }), 'NameInUseException');
  });

  test('an update may not leave a PSK network without a password or an open one with one', async () => {
    const open = await h.call('CreateNetworkProfile', { NetworkProfileName: 'Guest', Ssid: 'guest', SecurityType: 'OPEN' });
    await expectA4bError(
      h.call('UpdateNetworkProfile', { NetworkProfileArn: open.NetworkProfileArn, CurrentPassword: 'abcdefgh' }),
      'ValidationException',
      /OPEN network has no password/,
    );
  });
});

describe('DeleteNetworkProfile / SearchNetworkProfiles', () => {
  test('a profile in use cannot be deleted until its devices move or are deregistered', async () => {
    const { NetworkProfileArn } = await h.call('CreateNetworkProfile', NETWORK);
    const { DeviceArn } = await h.call('RegisterDevice', { DeviceSerialNumber: 'N1', DeviceType: 'echo-2', DeviceName: 'N1 dev', NetworkProfileArn });
    await expectA4bError(h.call('DeleteNetworkProfile', { NetworkProfileArn }), 'ResourceInUseException', /1 device/);
    await h.call('DeleteDevice', { DeviceArn });
    await h.call('DeleteNetworkProfile', { NetworkProfileArn });
    await expectA4bError(h.call('GetNetworkProfile', { NetworkProfileArn }), 'NotFoundException');
  });

  test('search filters by Ssid and SecurityType and never returns passwords', async () => {
    await h.call('CreateNetworkProfile', NETWORK);
    await h.call('CreateNetworkProfile', { NetworkProfileName: 'Guest', Ssid: 'guest', SecurityType: 'OPEN' });
    await h.call('CreateNetworkProfile', { ...NETWORK, NetworkProfileName: 'Backup', Ssid: 'corp-backup', NextPassword: NEXT_WIFI_PASSWORD });
    const all = await h.call('SearchNetworkProfiles', { SortCriteria: [{ Key: 'Ssid', Value: 'ASC' }] });
    expect(all.NetworkProfiles.map((p: { Ssid: string }) => p.Ssid)).toEqual(['corp-backup', 'corp-net', 'guest']);
    expect(jsonText(all)).not.toContain(WIFI_PASSWORD);
    expect(jsonText(all)).not.toContain(NEXT_WIFI_PASSWORD);
    expect(jsonText(all)).not.toMatch(/Password/);
    const psk = await h.call('SearchNetworkProfiles', { Filters: [{ Key: 'SecurityType', Values: ['WPA2_PSK'] }] });
    expect(psk.TotalCount).toBe(2);
  });
});
