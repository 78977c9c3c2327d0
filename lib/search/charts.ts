// Charts of the report (docs/search.md): Vega-Lite specs compiled and rendered to SVG here, in
// Node, so report.html holds the drawings themselves and loads nothing; PNG copies through sharp.
import { writeFileAtomic } from '../io/atomic_write';
import { loadSharp } from '../image/sharp';

// vega and vega-lite are loaded on first use (the rest of the package starts without them).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type VegaLiteSpec = Record<string, any>;

/** The SVG drawing of a Vega-Lite spec (its data inlined in `data.values`). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const vega = require('vega') as typeof import('vega');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const vegaLite = require('vega-lite') as typeof import('vega-lite');
  const compiled = vegaLite.compile({ $schema: undefined, ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** A PNG copy of an SVG drawing. */
export async function writePng(file: string, svg: string): Promise<void> {
  await writeFileAtomic(file, await loadSharp()(Buffer.from(svg), { density: 144 }).png().toBuffer());
}
