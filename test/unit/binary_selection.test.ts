// The loader's decisions (lib/native/binary_selection.ts), one fact at a time: which binaries are tried on
// a machine with or without a GPU, with a CPU or a CUDA libtorch, of the same or another version,
// and the remedy printed when none fits. No GPU is needed: the facts are given.
import { Candidate, debianRuntimePackage, Facts, reasonToSkip, remedy } from '../../lib/native/binary_selection';
import { RuntimeLibtorch } from '../../lib/native/libtorch_runtime';

const cpuRuntime: RuntimeLibtorch = { version: '1.13.0', libDir: '/usr/lib/x86_64-linux-gnu', source: 'system', cuda: false };
const cudaRuntime: RuntimeLibtorch = { ...cpuRuntime, libDir: '/opt/libtorch/lib', source: 'LIBTORCH', cuda: true };

function candidates(infos: { local?: boolean; cuda?: boolean; cpu?: boolean }, version = '1.13.0'): Candidate[] {
  return [
    { kind: 'local build', file: 'build/Release/lrp_node.node', present: Boolean(infos.local), info: infos.local ? { libtorch: version, cuda: false } : undefined },
    { kind: 'prebuilt CUDA', file: 'prebuilds/linux-x64/lrp-node.cuda.node', present: Boolean(infos.cuda), info: infos.cuda ? { libtorch: version, cuda: true } : undefined },
    { kind: 'prebuilt CPU', file: 'prebuilds/linux-x64/lrp-node.cpu.node', present: Boolean(infos.cpu), info: infos.cpu ? { libtorch: version, cuda: false } : undefined },
  ];
}

/** The kinds the loader would try, in order. */
function tried(list: Candidate[], facts: Facts): string[] {
  return list.filter((c) => reasonToSkip(c, facts) === undefined).map((c) => c.kind);
}

describe('binary selection', () => {
  test('both prebuilds, GPU and CUDA libtorch: the CUDA one first, the CPU one as fallback', () => {
    expect(tried(candidates({ cuda: true, cpu: true }), { runtime: cudaRuntime, gpu: true })).toEqual(['prebuilt CUDA', 'prebuilt CPU']);
  });

  test('a CUDA libtorch but no GPU: only the CPU prebuild, and the CUDA one says why', () => {
    const list = candidates({ cuda: true, cpu: true });
    expect(tried(list, { runtime: cudaRuntime, gpu: false })).toEqual(['prebuilt CPU']);
    expect(reasonToSkip(list[1], { runtime: cudaRuntime, gpu: false })).toBe('a CUDA build, but no NVIDIA GPU is visible here');
  });

  test('a GPU but a CPU-only libtorch (Debian libtorch1.13): only the CPU prebuild', () => {
    const list = candidates({ cuda: true, cpu: true });
    expect(tried(list, { runtime: cpuRuntime, gpu: true })).toEqual(['prebuilt CPU']);
    expect(reasonToSkip(list[1], { runtime: cpuRuntime, gpu: true })).toMatch(/has no CUDA \(no libtorch_cuda in \/usr\/lib\/x86_64-linux-gnu\)/);
  });

  test('a local build comes first; a stale one (another libtorch) is passed over by version', () => {
    expect(tried(candidates({ local: true, cpu: true }), { runtime: cpuRuntime, gpu: false })).toEqual(['local build', 'prebuilt CPU']);
    const other = { runtime: { ...cpuRuntime, version: '2.1.0' }, gpu: false };
    const list = candidates({ local: true, cpu: true });
    expect(tried(list, other)).toEqual([]);
    expect(reasonToSkip(list[0], other)).toBe('built against libtorch 1.13.0, but the libtorch found here is 2.1.0 (/usr/lib/x86_64-linux-gnu)');
  });

  test('versions match by major.minor (the SONAME), so a 1.13.1 runtime takes a 1.13.0 build', () => {
    expect(tried(candidates({ cpu: true }), { runtime: { ...cpuRuntime, version: '1.13.1' }, gpu: false })).toEqual(['prebuilt CPU']);
  });

  test('no libtorch found, or its version unknown: the binaries are still tried (the dynamic loader decides)', () => {
    expect(tried(candidates({ cpu: true }), { gpu: false })).toEqual(['prebuilt CPU']);
    expect(tried(candidates({ cpu: true }), { runtime: { ...cpuRuntime, version: undefined }, gpu: false })).toEqual(['prebuilt CPU']);
  });

  test('absent files and files without build info are skipped with their reason', () => {
    const list = candidates({ cpu: true });
    expect(reasonToSkip(list[0], { gpu: false })).toBe('not present');
    expect(reasonToSkip({ ...list[2], info: undefined }, { gpu: false })).toBe('not an lrp-node binary (no build info)');
  });

  test('remedies name commands a consumer has: the Debian runtime package, LIBTORCH, npx lrp-node build', () => {
    expect(debianRuntimePackage('1.13.0')).toBe('libtorch1.13');
    const list = candidates({ cpu: true });
    const missing = remedy(list, { gpu: false });
    expect(missing).toMatch(/`apt-get install libtorch1\.13`/);
    expect(missing).toMatch(/LIBTORCH/);
    expect(missing).not.toMatch(/npm run/);
    const mismatch = remedy(list, { runtime: { ...cpuRuntime, version: '2.1.0' }, gpu: false });
    expect(mismatch).toMatch(/`apt-get install libtorch1\.13`.*`npx lrp-node build`/);
    expect(remedy(candidates({}), { runtime: cpuRuntime, gpu: false })).toMatch(/^Remedy: build lrp-node .* `npx lrp-node build`/);
  });
});
