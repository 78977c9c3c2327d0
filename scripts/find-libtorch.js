#!/usr/bin/env node
// Finds the libtorch the build uses, in this order:
//   1. LIBTORCH=/path/to/libtorch           (an unpacked libtorch folder)
//   2. LIBTORCH_USE_PYTORCH=1               (the torch package of `python3`, or of $PYTHON)
//   3. the system's CMake package           (Debian's libtorch-dev: /usr/lib/<arch>/cmake/Torch)
// CMakeLists.txt, binding.gyp, the setup script and the runtime loader all call this, so every
// build path agrees on one libtorch.
//
// CLI: node scripts/find-libtorch.js [--json | --cmake-dir | --include-dirs | --lib-dir | --cxx-flags |
//                                     --libs | --rpath [binaryDir] | --version | --describe]
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

// Shown by `npx lrp-node build` in a user's project too: only commands a user has.
const HOW_TO_GET_ONE = [
  'no libtorch development files found (building needs the headers and CMake config). Get them in any of these three ways:',
  '  1. LIBTORCH=/path/to/libtorch (an unpacked libtorch zip from pytorch.org)',
  '  2. LIBTORCH_USE_PYTORCH=1 to use the torch package of python3 (pip install torch)',
  '  3. the system package: on Debian/Ubuntu `apt-get install libtorch-dev g++ cmake` (as root)',
].join('\n');

class LibtorchNotFound extends Error {
  constructor(detail) {
    super(detail ? `${detail}\n${HOW_TO_GET_ONE}` : HOW_TO_GET_ONE);
    this.code = 'LRP_LIBTORCH_NOT_FOUND';
  }
}

function exists(p) {
  try {
    fs.accessSync(p);
    return true;
  } catch {
    return false;
  }
}

function systemCmakeDirs() {
  const dirs = [];
  for (const lib of ['/usr/lib', '/usr/local/lib', '/usr/lib64']) {
    dirs.push(path.join(lib, 'cmake', 'Torch'));
    if (!exists(lib)) continue;
    for (const entry of fs.readdirSync(lib)) {
      if (entry.endsWith('-linux-gnu')) dirs.push(path.join(lib, entry, 'cmake', 'Torch'));
    }
  }
  dirs.push('/usr/share/cmake/Torch');
  return dirs;
}

function pythonCmakeDir() {
  const python = process.env.PYTHON || 'python3';
  let prefix;
  try {
    prefix = execFileSync(python, ['-c', 'import torch.utils; print(torch.utils.cmake_prefix_path)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (error) {
    throw new LibtorchNotFound(`LIBTORCH_USE_PYTORCH=1 but \`${python} -c "import torch"\` failed`);
  }
  return path.join(prefix, 'Torch');
}

// Locates TorchConfig.cmake; returns {source, cmakeDir}.
function findCmakeDir(env = process.env) {
  if (env.LIBTORCH) {
    const dir = path.join(path.resolve(env.LIBTORCH), 'share', 'cmake', 'Torch');
    if (!exists(path.join(dir, 'TorchConfig.cmake'))) {
      throw new LibtorchNotFound(`LIBTORCH=${env.LIBTORCH} has no share/cmake/Torch/TorchConfig.cmake`);
    }
    return { source: 'LIBTORCH', cmakeDir: dir };
  }
  if (env.LIBTORCH_USE_PYTORCH === '1') {
    const dir = pythonCmakeDir();
    if (!exists(path.join(dir, 'TorchConfig.cmake'))) {
      throw new LibtorchNotFound(`the python torch package has no ${dir}/TorchConfig.cmake`);
    }
    return { source: 'LIBTORCH_USE_PYTORCH', cmakeDir: dir };
  }
  for (const dir of systemCmakeDirs()) {
    if (exists(path.join(dir, 'TorchConfig.cmake'))) return { source: 'system', cmakeDir: dir };
  }
  throw new LibtorchNotFound();
}

function readVersion(includeRoot) {
  const header = path.join(includeRoot, 'torch', 'csrc', 'api', 'include', 'torch', 'version.h');
  const text = fs.readFileSync(header, 'utf8');
  const part = (name) => (text.match(new RegExp(`#define TORCH_VERSION_${name}\\s+(\\d+)`)) || [])[1];
  return [part('MAJOR'), part('MINOR'), part('PATCH')].join('.');
}

function findLibtorch(env = process.env) {
  const { source, cmakeDir } = findCmakeDir(env);
  // TorchConfig.cmake sits 3 levels below the prefix in libtorch and wheels (share/cmake/Torch)
  // and 4 in Debian's multiarch layout (lib/x86_64-linux-gnu/cmake/Torch).
  const roots = [path.resolve(cmakeDir, '../../..'), path.resolve(cmakeDir, '../../../..')];
  const root = roots.find((r) => exists(path.join(r, 'include', 'torch', 'csrc', 'api', 'include', 'torch', 'version.h')));
  if (!root) throw new LibtorchNotFound(`libtorch headers not found next to ${cmakeDir}`);
  const libDirs = [path.join(root, 'lib'), path.resolve(cmakeDir, '../..')];
  const libDir = libDirs.find((d) => exists(path.join(d, 'libtorch_cpu.so')) || exists(path.join(d, 'libtorch_cpu.dylib')));
  if (!libDir) throw new LibtorchNotFound(`libtorch_cpu not found in ${libDirs.join(' or ')}`);
  const config = fs.readFileSync(path.join(cmakeDir, 'TorchConfig.cmake'), 'utf8');
  const abi = (config.match(/_GLIBCXX_USE_CXX11_ABI=(\d)/) || [])[1];
  return {
    source,
    cmakeDir,
    root,
    includeDirs: [path.join(root, 'include'), path.join(root, 'include', 'torch', 'csrc', 'api', 'include')],
    libDir,
    version: readVersion(path.join(root, 'include')),
    cuda: exists(path.join(libDir, 'libtorch_cuda.so')),
    cxxFlags: abi === undefined ? [] : [`-D_GLIBCXX_USE_CXX11_ABI=${abi}`],
  };
}

// The rpath entries of the addon, all relative to the binary ($ORIGIN): next to it, and the
// libtorch lib folder as seen from `binaryDir` when libtorch is not on the loader's default path.
function relativeRpaths(info, binaryDir) {
  const rpaths = ['$ORIGIN'];
  const systemDirs = ['/usr/lib', '/lib', '/usr/lib64', '/lib64', '/usr/local/lib'];
  const onDefaultPath = systemDirs.some((d) => info.libDir === d || path.dirname(info.libDir) === d);
  if (!onDefaultPath) rpaths.push(path.join('$ORIGIN', path.relative(binaryDir, info.libDir)));
  return rpaths;
}

function describe(info) {
  return `libtorch ${info.version}${info.cuda ? ' (CUDA)' : ' (CPU)'} from ${info.source}: ${info.cmakeDir}`;
}

module.exports = { findLibtorch, findCmakeDir, relativeRpaths, describe, LibtorchNotFound, HOW_TO_GET_ONE };

if (require.main === module) {
  const flag = process.argv[2] || '--describe';
  try {
    const info = findLibtorch();
    const libs = ['torch', 'torch_cpu', 'c10'].concat(info.cuda ? ['torch_cuda', 'c10_cuda'] : []);
    const outputs = {
      '--json': () => JSON.stringify(info),
      '--cmake-dir': () => info.cmakeDir,
      '--include-dirs': () => info.includeDirs.join(' '),
      '--lib-dir': () => info.libDir,
      '--cxx-flags': () => info.cxxFlags.join(' '),
      '--version': () => info.version,
      '--cuda': () => (info.cuda ? '1' : '0'),
      // For binding.gyp: link flags, keeping libtorch_cuda linked (nothing references it directly).
      '--libs': () =>
        [`-L${info.libDir}`, '-Wl,--no-as-needed', ...libs.map((l) => `-l${l}`), '-Wl,--as-needed'].join(' '),
      '--rpath': () =>
        relativeRpaths(info, path.resolve(process.argv[3] || path.join(__dirname, '..', 'build', 'Release')))
          // binding.gyp's ldflags pass through make, which needs $$ for a literal $.
          .map((r) => `-Wl,-rpath,"'${r.replace('$ORIGIN', () => '$$ORIGIN')}'"`)
          .join(' '),
      '--describe': () => describe(info),
    };
    if (!outputs[flag]) throw new Error(`unknown option ${flag}`);
    process.stdout.write(outputs[flag]() + '\n');
  } catch (error) {
    process.stderr.write(`lrp-node: ${error.message}\n`);
    process.exit(1);
  }
}
