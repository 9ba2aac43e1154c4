// One table of the player's refusals (refusals of the HTTP edge alone, such
// as authentication, live in src/http/errors.ts). Each knows how it reads in the
// mini-program convention ("<method>:fail <reason>"), its HTTP status and its
// D-Bus error name; adapters translate only at the edge with these fields.

export const ERRORS = {
  InvalidArgument: { http: 400, text: 'invalid argument' },
  NoSource: { http: 409, text: 'no src set' },
  NotPlaying: { http: 409, text: 'not playing' },
  NotPaused: { http: 409, text: 'not paused' },
  NoFrame: { http: 409, text: 'no frame to capture yet' },
  NotFound: { http: 404, text: 'not found' },
  EngineFailed: { http: 500, text: 'media engine failed' },
  Busy: { http: 503, text: 'busy' },
  NotAvailable: { http: 501, text: 'not available' },
} as const;

export type ErrorReason = keyof typeof ERRORS;

export class PlayerError extends Error {
  readonly reason: ErrorReason;
  readonly method: string;
  readonly detail: string;

  constructor(reason: ErrorReason, method: string, detail?: string) {
    const d = detail ?? ERRORS[reason].text;
    super(`${method}:fail ${d}`);
    this.name = 'PlayerError';
    this.reason = reason;
    this.method = method;
    this.detail = d;
  }

  /** The mini-program style result text, e.g. "play:fail no src set". */
  get errMsg(): string {
    return this.message;
  }

  get httpStatus(): number {
    return ERRORS[this.reason].http;
  }

  get dbusName(): string {
    return `org.liveplayerd.Error.${this.reason}`;
  }
}

export function isPlayerError(e: unknown): e is PlayerError {
  return e instanceof PlayerError;
}

/** Wraps anything thrown into a PlayerError for `method` so every edge has the same shape. */
export function asPlayerError(e: unknown, method: string): PlayerError {
  if (isPlayerError(e)) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new PlayerError('EngineFailed', method, detail);
}
