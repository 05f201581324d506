/**
 * Errors of the Alexa for Business style management API (docs/alexa-for-business.md#errors). The `name` is what the HTTP
 * API returns as `__type` (AWS JSON protocol), e.g. `NotFoundException`; `httpStatus` is its status.
 */
export const A4B_ERRORS = {
  AlreadyExistsException: 400,
  ConcurrentModificationException: 400,
  DeviceNotRegisteredException: 400,
  InvalidParameterException: 400,
  InvalidDeviceException: 400,
  LimitExceededException: 400,
  NameInUseException: 400,
  NotFoundException: 400,
  ResourceInUseException: 400,
  UnauthorizedException: 401,
  ValidationException: 400,
  /** A ClientRequestToken reused with a different request (AWS's name for it; A4B left it unnamed). */
  IdempotentParameterMismatchException: 400,
  UnknownOperationException: 400,
  InternalFailure: 500,
} as const;

export type A4bErrorName = keyof typeof A4B_ERRORS;

export class A4bError extends Error {
  override readonly name: A4bErrorName;
  readonly httpStatus: number;

  constructor(name: A4bErrorName, message: string) {
    super(message);
    this.name = name;
    this.httpStatus = A4B_ERRORS[name];
  }

  toJSON(): { __type: A4bErrorName; message: string } {
    return { __type: this.name, message: this.message };
  }
}

export function isA4bError(err: unknown, name?: A4bErrorName): err is A4bError {
  return err instanceof A4bError && (name === undefined || err.name === name);
}
