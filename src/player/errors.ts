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

/** A refusal in the mini-program convention: "<method>:fail <reason>", with the HTTP status an edge answers it with. */
export class Refusal<R extends string = string> extends Error {
  readonly detail: string;

  constructor(
    readonly reason: R,
    readonly method: string,
    detail: string,
    readonly httpStatus: number,
  ) {
    super(`${method}:fail ${detail}`);
    this.detail = detail;
  }

  /** The mini-program style result text, e.g. "play:fail no src set". */
  get errMsg(): string {
    return this.message;
  }
}

export class PlayerError extends Refusal<ErrorReason> {
  constructor(reason: ErrorReason, method: string, detail?: string) {
    super(reason, method, detail ?? ERRORS[reason].text, ERRORS[reason].http);
    this.name = 'PlayerError';
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
