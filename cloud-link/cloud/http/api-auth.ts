import type { IncomingMessage } from 'node:http';
import type { AuthThrottle } from '../auth/auth-throttle.js';
import { addressSource } from '../auth/client-source.js';
import { ApiProtocolError, bearerToken } from './aws-json.js';

const CHALLENGE = { headers: { 'WWW-Authenticate': 'Bearer realm="echosim"' } };

/**
 * The admin-token check of an API request, behind the login back-off (auth/auth-throttle.ts): a
 * client address in back-off, or any new one while failures are arriving from everywhere, gets
 * 429 ThrottlingException with Retry-After before its token is looked at. Throws what becomes the
 * error answer; returns when the token is the admin token.
 */
export function authorizeAdmin(req: IncomingMessage, verify: (token: string) => boolean, throttle: AuthThrottle): void {
  const token = bearerToken(req.headers.authorization);
  if (token === undefined) throw new ApiProtocolError('UnauthorizedException', 401, 'Missing "Authorization: Bearer <admin token>" header', CHALLENGE);
  const admission = throttle.admit(`http:${addressSource(req.socket.remoteAddress)}`);
  if (!admission.admitted) {
    const seconds = Math.ceil(admission.retryAfterMs / 1000);
    throw new ApiProtocolError(
      'ThrottlingException',
      429,
      admission.reason === 'source'
        ? `Too many requests with a wrong admin token from this address; retry in ${seconds} s`
        : `Too many requests with wrong admin tokens; retry in ${seconds} s`,
      { headers: { 'Retry-After': String(seconds) } },
    );
  }
  let ok: boolean;
  try {
    ok = verify(token);
  } catch (err) {
    admission.cancel();
    throw err;
  }
  if (!ok) {
    admission.failed();
    throw new ApiProtocolError('UnauthorizedException', 401, 'The admin token is not valid', CHALLENGE);
  }
  admission.succeeded();
}
