// What `POST /explain` accepts (docs/serve.md): an `.npy` array with the batch axis, or one PNG or
// JPEG image, recognised by its first bytes (not by Content-Type), decoded by the config's
// preprocessing into a batch of one.
// The declarations use Node types: the reference keeps them standing on their own (as lib/io/npy.ts).
/// <reference types="node" preserve="true" />
import { LrpError } from '../errors';
import { parseNpy } from '../io/npy';
import { byteLookup, inputSize, Preprocessing, preprocessImage } from '../image/preprocessing';
import { Tensor } from '../tensor';

const NPY = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);  // \x93NUMPY
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

export type BodyKind = 'npy' | 'image';

export function bodyKind(body: Buffer): BodyKind | undefined {
  if (body.subarray(0, NPY.length).equals(NPY)) return 'npy';
  if (body.subarray(0, PNG.length).equals(PNG) || body.subarray(0, JPEG.length).equals(JPEG)) return 'image';
  return undefined;
}

/** Turns request bodies into model inputs; images need the config's preprocessing. */
export class BodyDecoder {
  private readonly lookup: Float32Array[] | undefined;

  constructor(private readonly preprocessing: Preprocessing | undefined) {
    this.lookup = preprocessing && byteLookup(preprocessing);
  }

  async decode(body: Buffer): Promise<Tensor> {
    const kind = bodyKind(body);
    if (kind === 'npy') return parseNpy(body, 'the request body');
    if (kind === undefined) throw new LrpError('LRP_BAD_INPUT', 'the request body is neither an .npy array nor a PNG or JPEG image');
    if (!this.preprocessing || !this.lookup) {
      throw new LrpError('LRP_BAD_INPUT', "this server's config has no preprocessing, so it takes .npy bodies only");
    }
    const [height, width] = inputSize(this.preprocessing);
    const data = new Float32Array(3 * height * width);
    await preprocessImage(body, this.preprocessing, this.lookup, data, 'the request image');
    return new Tensor(data, [1, 3, height, width]);
  }
}
