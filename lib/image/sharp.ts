// sharp (image decoding and PNG encoding) is loaded on first use, so the rest of the package
// loads without it and starts faster.
import type SharpModule from 'sharp';

import { LrpError } from '../errors';

let cached: typeof SharpModule | undefined;

export function loadSharp(): typeof SharpModule {
  if (!cached) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      cached = require('sharp') as typeof SharpModule;
    } catch (error) {
      throw new LrpError('LRP_NATIVE_LOAD_FAILED', `images need the 'sharp' package: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return cached;
}
