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
    // Not `instanceof Error`: errors made by the addon belong to the realm it was loaded in.
    if (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string') {
      const { code, message, stack } = error as Error & { code?: unknown };
      const wrapped = new LrpError(typeof code === 'string' ? code : 'LRP_INTERNAL', message);
      wrapped.stack = stack;
      return wrapped;
    }
    return new LrpError('LRP_INTERNAL', String(error));
  }
}
