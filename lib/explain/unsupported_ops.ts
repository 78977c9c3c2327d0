// The operators of a model that lrp-node cannot import, each with the module whose forward calls
// it, and for an ONNX model its node and opset (docs/cli.md, `inspect`). loadModel stops at the
// first one with one error line; this reads the whole TorchScript code, or the whole ONNX graph,
// without importing it and lists them all.
import { LrpError } from '../errors';
import { loadNative } from '../native/binding';
import { checkReadableFile } from '../io/readable_file';

export interface UnsupportedOperator {
  /** The TorchScript operator, e.g. `aten::layer_norm`, or the ONNX operator, e.g. `Tanh`. */
  operator: string;
  /** The module path whose forward calls it ('' for the top-level forward, or an ONNX node without a scope). */
  module: string;
  /** ONNX only: the node's name, e.g. `/act/Tanh`. */
  node?: string;
  /** ONNX only: the model's opset. */
  opset?: number;
}

/** Every unsupported operator of a TorchScript or ONNX file with its module path (ONNX: and node and opset), in the order met; [] when all are known. */
export async function unsupportedOperators(path: string, options: { trustCode?: boolean } = {}): Promise<UnsupportedOperator[]> {
  if (typeof path !== 'string' || path.length === 0) throw new LrpError('LRP_BAD_ARGUMENT', 'unsupportedOperators needs a file path');
  await checkReadableFile(path, 'model file');
  try {
    return await loadNative().unsupportedOperators(path, { trustCode: options.trustCode === true });
  } catch (error) {
    throw LrpError.from(error);
  }
}
