import { z } from 'zod';

/**
 * The Alexa for Business network profile (docs/alexa-for-business.md#network-profiles) as the device receives it. It is the one
 * message that carries secrets: CurrentPassword and NextPassword travel only in the device's own
 * shadow/get/accepted, sealed to its key (sealed-secrets.ts), and never in reported state, logs, API
 * responses or messages to observers; `redactNetworkProfile` and `RedactedNetworkProfileSchema` are
 * the shape everything else uses.
 *
 * Validation messages name the field and the rule, never the value, so a rejected password is not
 * echoed into a rejection message or a log line.
 */

export const SECURITY_TYPES = ['OPEN', 'WEP', 'WPA_PSK', 'WPA2_PSK', 'WPA2_ENTERPRISE'] as const;
export type SecurityType = (typeof SECURITY_TYPES)[number];
export const EAP_METHODS = ['EAP_TLS'] as const;
export const SECRET_FIELDS = ['CurrentPassword', 'NextPassword'] as const;

const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;
const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+\r?\n-----END CERTIFICATE-----\s*$/;
/** A4B's CertificateAuthorityArn pattern (an ACM Private CA ARN). */
const ARN = /^arn:[a-z0-9.-]{1,63}:[a-z0-9.-]{0,63}:[a-z0-9.-]{0,63}:[a-z0-9.-]{0,63}:[^/].{0,1023}$/;

const PasswordSchema = z
  .string()
  .min(5, 'must be 5-128 characters')
  .max(128, 'must be 5-128 characters')
  .regex(PRINTABLE_ASCII, 'must be printable ASCII');

const NextPasswordSchema = z
  .string()
  .regex(/^(?:[\x20-\x7E]{5,128})?$/, 'must be empty or 5-128 printable ASCII characters')
  .meta({ description: 'The password the network switches to next (rotation); empty when no rotation is under way.' });

/** Every field; shared by the full and the redacted schema. */
const publicFields = {
  NetworkProfileName: z.string().min(1).max(100),
  Description: z.string().max(200).optional(),
  Ssid: z
    .string()
    .min(1)
    .max(32)
    .refine((s) => Buffer.byteLength(s, 'utf8') <= 32, 'an SSID is at most 32 bytes (UTF-8)'),
  SecurityType: z.enum(SECURITY_TYPES),
  EapMethod: z.enum(EAP_METHODS).optional(),
  CertificateAuthorityArn: z.string().regex(ARN, 'must be an ACM Private CA ARN').optional(),
  TrustAnchors: z
    .array(z.string().max(4096).regex(PEM_CERTIFICATE, 'must be one PEM certificate'))
    .min(1)
    .max(5)
    .optional()
    .meta({ description: '1-5 PEM root certificates. They count against the 8 KB shadow state limit.' }),
};

type Field = keyof typeof publicFields | (typeof SECRET_FIELDS)[number];

/**
 * What each security type needs and must not have. WEP needs a key like the PSK types (A4B leaves it
 * implicit); EAP-TLS authenticates with certificates, so an enterprise profile carries no password.
 * OPEN may carry an empty NextPassword (A4B's "no rotation") but nothing else secret.
 */
const RULES: Record<SecurityType, { required: Field[]; forbidden: Field[] }> = {
  OPEN: { required: [], forbidden: ['CurrentPassword', 'EapMethod', 'CertificateAuthorityArn', 'TrustAnchors'] },
  WEP: { required: ['CurrentPassword'], forbidden: ['EapMethod', 'CertificateAuthorityArn', 'TrustAnchors'] },
  WPA_PSK: { required: ['CurrentPassword'], forbidden: ['EapMethod', 'CertificateAuthorityArn', 'TrustAnchors'] },
  WPA2_PSK: { required: ['CurrentPassword'], forbidden: ['EapMethod', 'CertificateAuthorityArn', 'TrustAnchors'] },
  WPA2_ENTERPRISE: { required: ['EapMethod', 'CertificateAuthorityArn'], forbidden: ['CurrentPassword', 'NextPassword'] },
};

function rulesFor(type: SecurityType, withSecrets: boolean): { required: Field[]; forbidden: Field[] } {
  const keep = (f: Field): boolean => withSecrets || !(SECRET_FIELDS as readonly string[]).includes(f);
  const r = RULES[type];
  return { required: r.required.filter(keep), forbidden: r.forbidden.filter(keep) };
}

/** The same rules as JSON Schema `if/then`, so clients using the exported files get them too. */
function jsonSchemaRules(withSecrets: boolean): Array<Record<string, unknown>> {
  return SECURITY_TYPES.map((type) => {
    const { required, forbidden } = rulesFor(type, withSecrets);
    const then: Record<string, unknown> = {};
    if (required.length > 0) then.required = required;
    if (forbidden.length > 0) then.not = { anyOf: forbidden.map((f) => ({ required: [f] })) };
    if (type === 'OPEN' && withSecrets) then.properties = { NextPassword: { const: '' } };
    return { if: { properties: { SecurityType: { const: type } }, required: ['SecurityType'] }, then };
  });
}

function checkRules(withSecrets: boolean) {
  return (p: Partial<Record<Field, unknown>> & { SecurityType: SecurityType }, ctx: z.core.$RefinementCtx): void => {
    if (!(SECURITY_TYPES as readonly string[]).includes(p.SecurityType)) return;
    const { required, forbidden } = rulesFor(p.SecurityType, withSecrets);
    for (const f of required) {
      if (p[f] === undefined) ctx.addIssue({ code: 'custom', path: [f], message: `${f} is required when SecurityType is ${p.SecurityType}` });
    }
    for (const f of forbidden) {
      if (p[f] !== undefined) ctx.addIssue({ code: 'custom', path: [f], message: `${f} is not allowed when SecurityType is ${p.SecurityType}` });
    }
    if (withSecrets && p.SecurityType === 'OPEN' && p.NextPassword !== undefined && p.NextPassword !== '') {
      ctx.addIssue({ code: 'custom', path: ['NextPassword'], message: 'NextPassword must be empty when SecurityType is OPEN' });
    }
  };
}

export const NetworkProfileSchema = z
  .strictObject({ ...publicFields, CurrentPassword: PasswordSchema.optional(), NextPassword: NextPasswordSchema.optional() })
  .superRefine(checkRules(true))
  .meta({
    title: 'NetworkProfile',
    description:
      'An Alexa for Business network profile as a device applies it. Holds the Wi-Fi passwords: they reach only the device it belongs to, sealed to its key.',
    allOf: jsonSchemaRules(true),
  });

/** The same profile without its secrets: what the device reports and what the API returns. */
export const RedactedNetworkProfileSchema = z
  .strictObject(publicFields)
  .superRefine(checkRules(false))
  .meta({
    title: 'RedactedNetworkProfile',
    description: 'A network profile without CurrentPassword and NextPassword (reported state, API responses, logs).',
    allOf: jsonSchemaRules(false),
  });

export type NetworkProfile = z.infer<typeof NetworkProfileSchema>;
export type RedactedNetworkProfile = z.infer<typeof RedactedNetworkProfileSchema>;

/** A copy without CurrentPassword and NextPassword, for reported state, logs and API responses. */
export function redactNetworkProfile(profile: NetworkProfile): RedactedNetworkProfile {
  const copy: Record<string, unknown> = { ...profile };
  for (const f of SECRET_FIELDS) delete copy[f];
  return copy as RedactedNetworkProfile;
}
