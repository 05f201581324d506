import { z } from 'zod';
import { ArnInput, ClientRequestToken, text } from './validation.js';

/**
 * Network (Wi-Fi) profiles as Alexa for Business defines them (docs/alexa-for-business.md#network-profiles). CurrentPassword and
 * NextPassword are secrets: accepted here, sealed at rest, sent only to the devices that use the
 * profile (their own desired-state topic), and never returned by any API response.
 */

export const SECURITY_TYPES = ['OPEN', 'WEP', 'WPA_PSK', 'WPA2_PSK', 'WPA2_ENTERPRISE'] as const;
export type SecurityType = (typeof SECURITY_TYPES)[number];
export const PASSWORD_FIELDS = ['CurrentPassword', 'NextPassword'] as const;

const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;
const CurrentPassword = z.string().min(5).max(128).regex(PRINTABLE_ASCII, 'must be printable ASCII');
/** Empty clears a pending rotation. */
const NextPassword = z
  .string()
  .max(128)
  .regex(PRINTABLE_ASCII, 'must be printable ASCII')
  .refine((p) => p.length === 0 || p.length >= 5, 'must be empty or at least 5 characters');
const TrustAnchor = z
  .string()
  .max(4096)
  .regex(
    /^-{5}BEGIN CERTIFICATE-{5}\r?\n([A-Za-z0-9/+]{64}\r?\n)*[A-Za-z0-9/+]{1,64}={0,2}\r?\n-{5}END CERTIFICATE-{5}(\r?\n)?$/,
    'must be one PEM certificate',
  );

const bodyShape = {
  NetworkProfileName: text(1, 100),
  Description: text(0, 200).optional(),
  Ssid: text(1, 32).refine((s) => Buffer.byteLength(s, 'utf8') <= 32, 'is at most 32 bytes in UTF-8'),
  SecurityType: z.enum(SECURITY_TYPES),
  EapMethod: z.enum(['EAP_TLS']).optional(),
  CurrentPassword: CurrentPassword.optional(),
  NextPassword: NextPassword.optional(),
  CertificateAuthorityArn: z
    .string()
    .regex(/^arn:[a-z0-9.-]{1,63}:[a-z0-9.-]{0,63}:[a-z0-9.-]{0,63}:[a-z0-9.-]{0,63}:[^/].{0,1023}$/, 'must be an ACM Private CA ARN')
    .optional(),
  TrustAnchors: z.array(TrustAnchor).min(1).max(5).optional(),
};

export interface NetworkProfileSettings {
  NetworkProfileName: string;
  Description?: string;
  Ssid: string;
  SecurityType: SecurityType;
  EapMethod?: 'EAP_TLS';
  CurrentPassword?: string;
  NextPassword?: string;
  CertificateAuthorityArn?: string;
  TrustAnchors?: string[];
}

/**
 * The rules between fields: an open network has no password, a PSK network needs one, an enterprise
 * network authenticates with EAP-TLS against a certificate authority instead.
 */
export function networkProfileProblems(p: NetworkProfileSettings): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const hasNext = p.NextPassword !== undefined && p.NextPassword !== '';
  if (p.SecurityType === 'OPEN') {
    if (p.CurrentPassword !== undefined) problems.push({ path: 'CurrentPassword', message: 'an OPEN network has no password' });
    if (hasNext) problems.push({ path: 'NextPassword', message: 'an OPEN network has no password' });
  } else if (p.SecurityType === 'WPA2_ENTERPRISE') {
    if (p.EapMethod === undefined) problems.push({ path: 'EapMethod', message: 'WPA2_ENTERPRISE needs EapMethod EAP_TLS' });
    if (p.CertificateAuthorityArn === undefined) {
      problems.push({ path: 'CertificateAuthorityArn', message: 'WPA2_ENTERPRISE needs a CertificateAuthorityArn' });
    }
    for (const field of PASSWORD_FIELDS) {
      if (p[field] !== undefined) {
        problems.push({ path: field, message: 'WPA2_ENTERPRISE authenticates with certificates, not a password' });
      }
    }
  } else if (p.CurrentPassword === undefined) {
    problems.push({ path: 'CurrentPassword', message: `${p.SecurityType} needs a CurrentPassword` });
  }
  if (p.SecurityType !== 'WPA2_ENTERPRISE') {
    for (const field of ['EapMethod', 'CertificateAuthorityArn', 'TrustAnchors'] as const) {
      if (p[field] !== undefined) problems.push({ path: field, message: `${field} applies to WPA2_ENTERPRISE only` });
    }
  }
  return problems;
}

function refineBody(p: NetworkProfileSettings, ctx: z.RefinementCtx): void {
  for (const problem of networkProfileProblems(p)) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
}

/** A complete network profile: what a device is given (FlashDevice, the desired state). */
export const NetworkProfileBody = z.strictObject(bodyShape).superRefine(refineBody);

export const CreateNetworkProfileInput = z
  .strictObject({ ...bodyShape, ClientRequestToken: ClientRequestToken.optional() })
  .superRefine(refineBody);

/** Ssid and SecurityType are accepted by the parser only to be refused with a clear message. */
export const UpdateNetworkProfileInput = z.strictObject({
  NetworkProfileArn: ArnInput,
  NetworkProfileName: bodyShape.NetworkProfileName.optional(),
  Description: bodyShape.Description,
  CurrentPassword: bodyShape.CurrentPassword,
  NextPassword: bodyShape.NextPassword,
  CertificateAuthorityArn: bodyShape.CertificateAuthorityArn,
  TrustAnchors: bodyShape.TrustAnchors,
  Ssid: z.unknown().optional(),
  SecurityType: z.unknown().optional(),
});

/** A copy without the password fields: for API responses, logs and anything but the device's own topic. */
export function redactNetworkProfile<T extends object>(profile: T): Omit<T, 'CurrentPassword' | 'NextPassword'> {
  const copy = { ...profile } as Record<string, unknown>;
  for (const field of PASSWORD_FIELDS) delete copy[field];
  return copy as Omit<T, 'CurrentPassword' | 'NextPassword'>;
}
