/** Every error lrp-node raises carries a stable `code` (LRP_UNSUPPORTED_OP, LRP_BAD_SHAPE, ...). */
export class LrpError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'LrpError';
    this.code = code;
  }

  /** Wraps an error from the native core (a plain Error with `code`) or anything thrown. */
  static from(error: unknown): LrpError {
    if (error instanceof LrpError) return error;
    if (error instanceof Error) {
      const code = (error as Error & { code?: unknown }).code;
      const wrapped = new LrpError(typeof code === 'string' ? code : 'LRP_INTERNAL', error.message);
      wrapped.stack = error.stack;
      return wrapped;
    }
    return new LrpError('LRP_INTERNAL', String(error));
  }
}
