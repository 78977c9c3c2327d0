// Pieces of the self-contained report pages: the page shell, tables, and images as data URIs
// (nothing in a report is fetched from elsewhere).
import { heatmapPixels } from '../image/heatmap';
import { loadSharp } from '../image/sharp';
import { Tensor } from '../tensor';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function htmlPage(title: string, body: string[]): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; }
td.name, th.name { text-align: left; font-family: monospace; }
td.best { font-weight: bold; background: #e8f4e8; }
img.heat { width: 96px; height: 96px; image-rendering: pixelated; }
figure { margin: 1em 0; }
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${body.join('\n')}
</body></html>
`;
}

export function htmlTable(header: string[], rows: string[][]): string {
  const head = header.map((h, i) => `<th${i === 0 ? ' class="name"' : ''}>${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => (c.startsWith('<td') ? c : `<td${i === 0 ? ' class="name"' : ''}>${c}</td>`)).join('')}</tr>`);
  return `<table><tr>${head}</tr>\n${body.join('\n')}</table>`;
}

async function pngDataUri(rgb: Uint8Array, width: number, height: number): Promise<string> {
  const png = await loadSharp()(Buffer.from(rgb), { raw: { width, height, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** One PNG data URI per sample: the relevance as a heatmap (bwr, symmetric, channels summed). */
export async function heatmapUris(relevance: Tensor): Promise<string[]> {
  const { width, height, images } = heatmapPixels(relevance);
  return Promise.all(images.map((image) => pngDataUri(image, width, height)));
}

/** One PNG data URI per sample: the input itself, min–max scaled (a heatmap overlay at alpha 0). */
export async function inputUris(input: Tensor): Promise<string[]> {
  const [n, , height, width] = input.shape;
  const { images } = heatmapPixels(new Tensor(new Float32Array(n * height * width), [n, 1, height, width]), { overlay: input, alpha: 0 });
  return Promise.all(images.map((image) => pngDataUri(image, width, height)));
}

export function img(uri: string, alt: string): string {
  return `<img class="heat" src="${uri}" alt="${escapeHtml(alt)}">`;
}

/** The first `count` rows of a tensor. */
export function firstRows(t: Tensor, count: number): Tensor {
  const n = Math.min(count, t.shape[0]);
  const size = t.data.length / t.shape[0];
  return new Tensor(t.data.slice(0, n * size), [n, ...t.shape.slice(1)]);
}
