// loadModel's options as a schema (lib/options/schema.ts).
import { CANONIZE } from '../explain/canonize';
import { boolean, custom, object, oneOf } from './schema';

/** cpu, cuda or cuda:<index>. */
const DEVICE = custom("'cpu', 'cuda' or 'cuda:<index>'", (v) => typeof v === 'string' && /^(cpu|cuda(:\d+)?)$/.test(v));

export const LOAD_OPTIONS = object({
  device: DEVICE,
  dtype: oneOf('float32', 'float64'),
  canonize: CANONIZE,
  trustCode: boolean(),
});
