// The operators of a traced model that lrp-node cannot import, each with the module whose forward
// calls it (docs/cli.md, `inspect`). loadModel stops at the first one with one error line; this
// reads the whole TorchScript code without importing it and lists them all.
import { LrpError } from '../errors';
import { loadNative } from '../native/binding';
import { checkReadableFile } from '../io/readable_file';

export interface UnsupportedOperator {
  /** The TorchScript operator, e.g. `aten::layer_norm`. */
  operator: string;
  /** The module path whose forward calls it ('' for the top-level forward). */
  module: string;
}

/** Every unsupported operator of a TorchScript file with its module path, in the order met; [] when all are known. */
export async function unsupportedOperators(path: string, options: { trustCode?: boolean } = {}): Promise<UnsupportedOperator[]> {
  if (typeof path !== 'string' || path.length === 0) throw new LrpError('LRP_BAD_ARGUMENT', 'unsupportedOperators needs a file path');
  await checkReadableFile(path, 'model file');
  try {
    return await loadNative().unsupportedOperators(path, { trustCode: options.trustCode === true });
  } catch (error) {
    throw LrpError.from(error);
  }
}
