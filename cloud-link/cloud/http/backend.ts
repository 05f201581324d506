/**
 * What the HTTP API needs from the service behind it. `A4bService` (cloud-link/cloud/a4b/) satisfies
 * it; tests use a tiny in-memory one. Keeping the server on this seam means the server never knows
 * about SQLite, MQTT or secrets, only about operations, JSON and errors.
 */
export interface A4bBackend {
  /**
   * Runs one operation (an A4B name such as `CreateProfile`) on an already JSON-parsed input object.
   * Resolves to the response object; rejects with `A4bError` (cloud-link/cloud/a4b/errors.ts) for
   * anything the caller did wrong. Any other rejection is reported as a 500 InternalFailure.
   */
  call(operation: string, input: unknown): Promise<unknown>;
  /** Whether `token` is the admin token; must compare in constant time. */
  verifyAdminToken(token: string): boolean;
}
