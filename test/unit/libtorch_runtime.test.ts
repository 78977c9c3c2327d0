// The runtime libtorch is found from shared libraries alone (lib/native/libtorch_runtime.ts): Debian's
// runtime package (versioned .so names, no headers, no CMake config), a libtorch zip
// (build-version), a pip torch (version.py), in the same order as the build's finder.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { findRuntimeLibtorch, majorMinor } from '../../lib/native/libtorch_runtime';

const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function folder(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-runtime-'));
  made.push(root);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('runtime libtorch discovery', () => {
  test("Debian's runtime package alone: the version comes from libtorch_cpu.so.X.Y.Z", () => {
    const root = folder({ 'lib/libtorch_cpu.so.1.13.0': '', 'lib/libtorch_cpu.so.1.13': '', 'lib/libc10.so.1.13': '' });
    const { found } = findRuntimeLibtorch({}, ['/no/such/dir', path.join(root, 'lib')]);
    expect(found).toEqual({ libDir: path.join(root, 'lib'), source: 'system', cuda: false, version: '1.13.0', versionFrom: 'libtorch_cpu.so.1.13.0' });
  });

  test('a libtorch zip (LIBTORCH): the version comes from build-version, CUDA from libtorch_cuda.so', () => {
    const root = folder({ 'lib/libtorch_cpu.so': '', 'lib/libtorch_cuda.so': '', 'build-version': '2.1.0+cu118\n' });
    const { found } = findRuntimeLibtorch({ LIBTORCH: root }, []);
    expect(found).toMatchObject({ source: 'LIBTORCH', version: '2.1.0', cuda: true, versionFrom: path.join(root, 'build-version') });
  });

  test('LD_LIBRARY_PATH comes before the system folders; a folder without libtorch_cpu is passed by', () => {
    const system = folder({ 'libtorch_cpu.so.1.13.0': '' });
    const user = folder({ 'lib/libtorch_cpu.so': '', 'version.py': "__version__ = '2.0.1'\n" });
    const empty = folder({ 'libc10.so': '' });
    const { found, searched } = findRuntimeLibtorch({ LD_LIBRARY_PATH: `${empty}:${path.join(user, 'lib')}` }, [system]);
    expect(found).toMatchObject({ source: 'LD_LIBRARY_PATH', libDir: path.join(user, 'lib'), version: '2.0.1' });
    expect(searched).toEqual([empty, path.join(user, 'lib')]);
  });

  test('nothing found: every folder searched is listed; LIBTORCH without libtorch_cpu finds nothing', () => {
    const empty = folder({});
    expect(findRuntimeLibtorch({}, [empty])).toEqual({ searched: [empty] });
    expect(findRuntimeLibtorch({ LIBTORCH: empty }, []).found).toBeUndefined();
  });

  test('unversioned libraries with nothing beside them: found, version unknown', () => {
    const root = folder({ 'lib/libtorch_cpu.so': '' });
    expect(findRuntimeLibtorch({ LIBTORCH: root }, []).found).toEqual({ libDir: path.join(root, 'lib'), source: 'LIBTORCH', cuda: false });
  });

  test('majorMinor is what the SONAME pins', () => {
    expect(majorMinor('1.13.0')).toBe('1.13');
    expect(majorMinor('2.1')).toBe('2.1');
  });
});
