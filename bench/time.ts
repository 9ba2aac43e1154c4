// Waiting in the bench scripts (they do not import the tests' helpers for it).

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
