// The heatmap flags of `explain` (--png, and with it --cmap, --pool, --overlay), checked before any
// work so that a bad one never leaves some outputs written.
import { HEATMAP_OPTIONS } from '../image/heatmap';
import { validate } from '../options/schema';
import type { ChannelPooling } from '../image/pooling';
import type { Flag, Parsed, UsageFactory } from './args';

export const HEATMAP_FLAGS: Record<string, Flag> = { cmap: { type: 'string' }, pool: { type: 'string' }, overlay: { type: 'boolean' } };

/** --cmap, --pool and --overlay, which need --png (`png`: whether it was given). */
export function heatmapFlags(parsed: Parsed, png: boolean, usage: UsageFactory): { cmap?: string; pool?: ChannelPooling } {
  const { values } = parsed;
  for (const flag of Object.keys(HEATMAP_FLAGS)) {
    if (values[flag] !== undefined && !png) throw usage(`--${flag} needs --png`);
  }
  return validate(HEATMAP_OPTIONS, {
    ...(values.cmap !== undefined ? { cmap: values.cmap } : {}), ...(values.pool !== undefined ? { pool: values.pool } : {}),
  }, 'heatmap options');
}
