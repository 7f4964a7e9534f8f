/**
 * Errors a user can cause: bad input, a path outside the root, a missing API key.
 * They travel up to the MCP adapter or the CLI and come out as one readable line
 * plus what to do about it. Anything else that is thrown is a bug.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** What the caller can do about it, shown after the reason. */
    readonly hint?: string,
  ) {
    super(message);
  }

  /** The one-line form shown to a person or a model. */
  toLine(): string {
    return this.hint ? `${this.message}. ${this.hint}` : this.message;
  }
}

/**
 * A bug that was already logged with its stack where it happened (in a job, say) and now
 * travels to a caller that must shape it as a bug without logging it twice.
 */
export class LoggedBug extends Error {
  override readonly name = 'LoggedBug';
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** A readable reason for any thrown value, without a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof UserError) return error.toLine();
  if (error instanceof Error) return error.message;
  return String(error);
}
