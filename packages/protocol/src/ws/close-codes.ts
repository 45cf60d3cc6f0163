/**
 * WebSocket close codes the server uses (ours; the reference drops sockets without a close frame). A client
 * that sees one of the 40xx codes knows what to do next without guessing.
 */
export const wsCloseCodes = {
  /** The first frame was not a valid `authenticate`, or its token was refused: refresh the token, reconnect. */
  unauthorized: 4001,
  /** No `authenticate` within 10 s. */
  authTimeout: 4002,
  /** The session was revoked (logout, logout-all, password change, revocation) or the user suspended. */
  sessionEnded: 4003,
  /** The user already has the maximum number of live connections. */
  tooManySessions: 4004,
  /** The client did not read fast enough; reconnect and `resume` to get every event it missed. */
  tooSlow: 4008,
  /** A frame larger than 1 MiB (standard code). */
  messageTooBig: 1009,
  /** A server error (standard code); reconnect and `resume`. */
  internalError: 1011,
  /** The server is shutting down (standard code); reconnect and `resume`. */
  goingAway: 1001,
} as const;
