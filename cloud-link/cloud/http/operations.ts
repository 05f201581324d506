/**
 * The operations of the Alexa-for-Business style API (docs/alexa-for-business.md#operations), by their A4B names, plus the
 * echosim extensions (RegisterDevice with a secret, FlashDevice, recordings metadata, SendDeviceCommand, rooms' bookings). The HTTP server
 * refuses anything else before it reaches the service, and the CLI derives its kebab-case commands
 * (`create-profile`, `start-device-sync`, ...) from the same list, so the two cannot drift apart.
 */
export const A4B_OPERATIONS = [
  'CreateProfile',
  'GetProfile',
  'UpdateProfile',
  'DeleteProfile',
  'SearchProfiles',
  'CreateNetworkProfile',
  'GetNetworkProfile',
  'UpdateNetworkProfile',
  'DeleteNetworkProfile',
  'SearchNetworkProfiles',
  'CreateRoom',
  'GetRoom',
  'UpdateRoom',
  'DeleteRoom',
  'SearchRooms',
  'CreateBooking',
  'ListBookings',
  'DeleteBooking',
  'CreateSkillGroup',
  'GetSkillGroup',
  'UpdateSkillGroup',
  'DeleteSkillGroup',
  'SearchSkillGroups',
  'AssociateSkillGroupWithRoom',
  'DisassociateSkillGroupFromRoom',
  'AssociateSkillWithSkillGroup',
  'DisassociateSkillFromSkillGroup',
  'RegisterDevice',
  'GetDevice',
  'SearchDevices',
  'UpdateDevice',
  'DeleteDevice',
  'AssociateDeviceWithRoom',
  'DisassociateDeviceFromRoom',
  'AssociateDeviceWithNetworkProfile',
  'StartDeviceSync',
  'DeleteDeviceUsageData',
  'SendAnnouncement',
  'FlashDevice',
  'ListDeviceRecordings',
  'DeleteRecording',
  'SendDeviceCommand',
] as const;

export type A4bOperation = (typeof A4B_OPERATIONS)[number];

const OPERATION_SET: ReadonlySet<string> = new Set(A4B_OPERATIONS);

/**
 * The operations that take an idempotency token, `ClientRequestToken` (A4B's idempotencyToken
 * members). Clients fill one in (a random UUID) when the caller gives none, as the AWS CLI and SDKs
 * do, so `send-announcement` needs no token on the command line.
 */
export const IDEMPOTENT_OPERATIONS: ReadonlySet<A4bOperation> = new Set<A4bOperation>([
  'CreateProfile',
  'CreateNetworkProfile',
  'CreateRoom',
  'CreateBooking',
  'CreateSkillGroup',
  'SendAnnouncement',
]);

export function isA4bOperation(name: string): name is A4bOperation {
  return OPERATION_SET.has(name);
}

/** The `X-Amz-Target` prefix of the AWS JSON 1.1 protocol as Alexa for Business used it. */
export const A4B_TARGET_PREFIX = 'AlexaForBusiness.';

/**
 * PascalCase to the AWS CLI's kebab-case, keeping acronyms together the way botocore does:
 * `CreateProfile` -> `create-profile`, `PSTNEnabled` -> `pstn-enabled`, `DeviceArn` -> `device-arn`.
 */
export function pascalToKebab(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

const BY_KEBAB: ReadonlyMap<string, A4bOperation> = new Map(A4B_OPERATIONS.map((op) => [pascalToKebab(op), op]));

/** `create-profile` -> `CreateProfile`; undefined when there is no such operation. */
export function operationFromKebab(kebab: string): A4bOperation | undefined {
  return BY_KEBAB.get(kebab);
}

/** Every operation's CLI name, in the order of A4B_OPERATIONS. */
export function operationCliNames(): string[] {
  return [...BY_KEBAB.keys()];
}

/**
 * The closest known names to a mistyped one (Levenshtein distance up to a quarter of its length, at
 * least 2), for "did you mean" hints. Best first, and only those about as close as the best; empty
 * when nothing is close.
 */
export function closestNames(input: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(input.length / 4));
  const scored: Array<{ name: string; d: number }> = [];
  for (const name of candidates) {
    const d = editDistance(input, name);
    if (d <= limit) scored.push({ name, d });
  }
  scored.sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  const best = scored[0]?.d ?? 0;
  return scored
    .filter((s) => s.d <= best + 1)
    .slice(0, max)
    .map((s) => s.name);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
