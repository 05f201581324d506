import {
  NetworkProfileSchema,
  RedactedNetworkProfileSchema,
  redactNetworkProfile,
  type NetworkProfile,
} from '../../../cloud-link/protocol/network-profile.js';
import { validate } from '../../../cloud-link/protocol/parse.js';

const SECRET = 'c0rrect-horse';
const psk: NetworkProfile = { NetworkProfileName: 'Office', Ssid: 'Office-5G', SecurityType: 'WPA2_PSK', CurrentPassword: SECRET };
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2FmZQ==\n-----END CERTIFICATE-----\n';
const enterprise: NetworkProfile = {
  NetworkProfileName: 'Corp',
  Ssid: 'Corp',
  SecurityType: 'WPA2_ENTERPRISE',
  EapMethod: 'EAP_TLS',
  CertificateAuthorityArn: 'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555',
  TrustAnchors: [PEM],
};

const errorOf = (value: unknown): string => {
  const r = validate(NetworkProfileSchema, value);
  if (r.ok) throw new Error('expected a validation error');
  return r.message;
};

describe('network profile', () => {
  test('valid profiles of each kind', () => {
    expect(validate(NetworkProfileSchema, psk).ok).toBe(true);
    expect(validate(NetworkProfileSchema, { ...psk, SecurityType: 'WPA_PSK', NextPassword: 'n3xt-pass', Description: 'rotating' }).ok).toBe(true);
    expect(validate(NetworkProfileSchema, { ...psk, SecurityType: 'WEP', CurrentPassword: 'abcde' }).ok).toBe(true);
    expect(validate(NetworkProfileSchema, { NetworkProfileName: 'Guest', Ssid: 'Guest', SecurityType: 'OPEN' }).ok).toBe(true);
    expect(validate(NetworkProfileSchema, { NetworkProfileName: 'Guest', Ssid: 'Guest', SecurityType: 'OPEN', NextPassword: '' }).ok).toBe(true);
    expect(validate(NetworkProfileSchema, enterprise).ok).toBe(true);
  });

  test('field limits: names, SSID bytes, passwords 5-128 printable ASCII, NextPassword empty or 5-128, 1-5 PEM anchors', () => {
    expect(errorOf({ ...psk, NetworkProfileName: '' })).toMatch(/^NetworkProfileName: /);
    expect(errorOf({ ...psk, Ssid: 'x'.repeat(33) })).toMatch(/^Ssid: /);
    expect(errorOf({ ...psk, Ssid: 'é'.repeat(17) })).toBe('Ssid: an SSID is at most 32 bytes (UTF-8)');
    expect(errorOf({ ...psk, CurrentPassword: 'abcd' })).toBe('CurrentPassword: must be 5-128 characters');
    expect(errorOf({ ...psk, CurrentPassword: 'x'.repeat(129) })).toBe('CurrentPassword: must be 5-128 characters');
    expect(errorOf({ ...psk, CurrentPassword: 'pässwort' })).toBe('CurrentPassword: must be printable ASCII');
    expect(errorOf({ ...psk, CurrentPassword: 'tab\there' })).toBe('CurrentPassword: must be printable ASCII');
    expect(errorOf({ ...psk, NextPassword: 'abc' })).toBe('NextPassword: must be empty or 5-128 printable ASCII characters');
    expect(errorOf({ ...psk, Description: 'x'.repeat(201) })).toMatch(/^Description: /);
    expect(errorOf({ ...psk, SecurityType: 'WPA3_SAE' })).toMatch(/^SecurityType: /);
    expect(errorOf({ ...enterprise, TrustAnchors: [] })).toMatch(/^TrustAnchors: /);
    expect(errorOf({ ...enterprise, TrustAnchors: Array(6).fill(PEM) })).toMatch(/^TrustAnchors: /);
    expect(errorOf({ ...enterprise, TrustAnchors: ['not a certificate'] })).toBe('TrustAnchors[0]: must be one PEM certificate');
    expect(errorOf({ ...enterprise, CertificateAuthorityArn: 'my-ca' })).toBe('CertificateAuthorityArn: must be an ACM Private CA ARN');
  });

  test('cross-field rules per SecurityType', () => {
    expect(errorOf({ ...psk, CurrentPassword: undefined })).toBe('CurrentPassword: CurrentPassword is required when SecurityType is WPA2_PSK');
    expect(errorOf({ ...psk, SecurityType: 'WEP', CurrentPassword: undefined })).toMatch(/CurrentPassword is required when SecurityType is WEP/);
    expect(errorOf({ NetworkProfileName: 'G', Ssid: 'G', SecurityType: 'OPEN', CurrentPassword: SECRET })).toMatch(
      /CurrentPassword is not allowed when SecurityType is OPEN/,
    );
    expect(errorOf({ NetworkProfileName: 'G', Ssid: 'G', SecurityType: 'OPEN', NextPassword: 'n3xt-pass' })).toBe(
      'NextPassword: NextPassword must be empty when SecurityType is OPEN',
    );
    expect(errorOf({ ...enterprise, EapMethod: undefined })).toMatch(/EapMethod is required when SecurityType is WPA2_ENTERPRISE/);
    expect(errorOf({ ...enterprise, CertificateAuthorityArn: undefined })).toMatch(/CertificateAuthorityArn is required/);
    expect(errorOf({ ...enterprise, CurrentPassword: SECRET })).toMatch(/CurrentPassword is not allowed when SecurityType is WPA2_ENTERPRISE/);
    expect(errorOf({ ...psk, EapMethod: 'EAP_TLS' })).toMatch(/EapMethod is not allowed when SecurityType is WPA2_PSK/);
    expect(errorOf({ ...psk, TrustAnchors: [PEM] })).toMatch(/TrustAnchors is not allowed/);
  });

  test('validation messages never quote a password', () => {
    for (const bad of [
      { ...psk, CurrentPassword: `${SECRET}\u00e9` },
      { ...psk, NextPassword: `${SECRET}\u0001` },
      { ...psk, SecurityType: 'OPEN' },
      { ...enterprise, CurrentPassword: SECRET },
    ]) {
      expect(errorOf(bad)).not.toContain(SECRET);
    }
  });

  test('redactNetworkProfile removes both passwords and leaves a valid redacted profile; the redacted schema refuses them', () => {
    const full = { ...psk, NextPassword: 'n3xt-pass' };
    const redacted = redactNetworkProfile(full);
    expect(redacted).toEqual({ NetworkProfileName: 'Office', Ssid: 'Office-5G', SecurityType: 'WPA2_PSK' });
    expect(full.CurrentPassword).toBe(SECRET); // the input is untouched
    expect(validate(RedactedNetworkProfileSchema, redacted).ok).toBe(true);
    const r = validate(RedactedNetworkProfileSchema, full);
    expect(r).toMatchObject({ ok: false, message: expect.stringContaining('Unrecognized keys: "CurrentPassword", "NextPassword"') });
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(validate(RedactedNetworkProfileSchema, { ...enterprise, EapMethod: undefined }).ok).toBe(false);
  });
});
