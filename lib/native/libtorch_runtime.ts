// Finds the libtorch the dynamic loader will give the addon, from its shared libraries only: a
// production image has Debian's runtime package (libtorch1.13: libtorch_cpu.so.1.13.0, no headers,
// no CMake config), and that must be enough. The build-time finder (scripts/find-libtorch.js)
// needs the dev files; this one never does. docs/install.md describes the search.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface RuntimeLibtorch {
  /** As the libraries carry it: "1.13.0", "2.1.0"; undefined when nothing says. */
  version?: string;
  /** The folder holding libtorch_cpu. */
  libDir: string;
  /** How the folder was found. */
  source: 'LIBTORCH' | 'LIBTORCH_USE_PYTORCH' | 'LD_LIBRARY_PATH' | 'system';
  /** What the version was read from (a library's file name, build-version, version.py). */
  versionFrom?: string;
  /** libtorch_cuda sits beside libtorch_cpu. */
  cuda: boolean;
}

type Env = Record<string, string | undefined>;

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** libtorch_cpu.so.1.13.0 → "1.13.0" (Debian versions the shared libraries: SONAME libtorch_cpu.so.1.13). */
function versionFromFileNames(entries: string[]): string | undefined {
  const versions = entries
    .map((e) => /^libtorch_cpu\.so\.(\d+\.\d+(?:\.\d+)?)$/.exec(e)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => b.length - a.length);
  return versions[0];
}

function hasLibrary(entries: string[], name: string): boolean {
  return entries.some((e) => e === `${name}.so` || e.startsWith(`${name}.so.`) || e === `${name}.dylib`);
}

/** The version of the libtorch whose libraries are in libDir, and where it was read from. */
function readVersion(libDir: string, entries: string[]): { version?: string; versionFrom?: string } {
  const fromName = versionFromFileNames(entries);
  if (fromName) return { version: fromName, versionFrom: `libtorch_cpu.so.${fromName}` };
  const root = path.dirname(libDir);
  // pytorch.org's libtorch zips: a build-version file ("2.1.0+cpu") beside lib/.
  const buildVersion = readText(path.join(root, 'build-version'))?.trim();
  if (buildVersion) return { version: buildVersion.split('+')[0], versionFrom: path.join(root, 'build-version') };
  // A pip torch package: torch/version.py beside torch/lib/.
  const versionPy = readText(path.join(root, 'version.py'));
  const match = versionPy && /__version__\s*=\s*['"](\d+\.\d+\.\d+)/.exec(versionPy);
  if (match) return { version: match[1], versionFrom: path.join(root, 'version.py') };
  return {};
}

function inspectDir(libDir: string, source: RuntimeLibtorch['source']): RuntimeLibtorch | undefined {
  const entries = listDir(libDir);
  if (!hasLibrary(entries, 'libtorch_cpu')) return undefined;
  return { libDir, source, cuda: hasLibrary(entries, 'libtorch_cuda'), ...readVersion(libDir, entries) };
}

/** The torch package folder of python3 ($PYTHON), found without importing torch. */
function pythonTorchDir(env: Env): string | undefined {
  const python = env.PYTHON || 'python3';
  try {
    const out = execFileSync(python, ['-c', "import importlib.util as u; s = u.find_spec('torch'); print(s.submodule_search_locations[0] if s else '')"], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: env as NodeJS.ProcessEnv,
    }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

/** The folders the dynamic loader searches by itself: /etc/ld.so.conf(.d) and the default ones. */
export function systemLibraryDirs(): string[] {
  const dirs: string[] = [];
  const confDir = '/etc/ld.so.conf.d';
  for (const conf of ['/etc/ld.so.conf', ...listDir(confDir).filter((f) => f.endsWith('.conf')).sort().map((f) => path.join(confDir, f))]) {
    for (const line of (readText(conf) ?? '').split('\n')) {
      const dir = line.replace(/#.*/, '').trim();
      if (dir.startsWith('/')) dirs.push(dir);
    }
  }
  const multiarch = listDir('/usr/lib').filter((e) => /-linux-gnu/.test(e)).map((e) => path.join('/usr/lib', e));
  dirs.push(...multiarch, '/usr/local/lib', '/usr/lib', '/usr/lib64', '/lib');
  return [...new Set(dirs)];
}

/**
 * The libtorch found, in the order of scripts/find-libtorch.js: LIBTORCH, LIBTORCH_USE_PYTORCH=1,
 * then where the dynamic loader looks (LD_LIBRARY_PATH, then the system folders). Also returns
 * every folder looked in, for the error message and `lrp-node doctor`.
 */
export function findRuntimeLibtorch(env: Env = process.env, systemDirs: string[] = systemLibraryDirs()): { found?: RuntimeLibtorch; searched: string[] } {
  const searched: string[] = [];
  const look = (dir: string, source: RuntimeLibtorch['source']) => {
    searched.push(dir);
    return inspectDir(dir, source);
  };
  if (env.LIBTORCH) return { found: look(path.join(path.resolve(env.LIBTORCH), 'lib'), 'LIBTORCH'), searched };
  if (env.LIBTORCH_USE_PYTORCH === '1') {
    const torchDir = pythonTorchDir(env);
    if (!torchDir) return { searched: [`${env.PYTHON || 'python3'}: no torch package`] };
    return { found: look(path.join(torchDir, 'lib'), 'LIBTORCH_USE_PYTORCH'), searched };
  }
  for (const dir of (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) {
    const found = look(dir, 'LD_LIBRARY_PATH');
    if (found) return { found, searched };
  }
  for (const dir of systemDirs) {
    const found = look(dir, 'system');
    if (found) return { found, searched };
  }
  return { searched };
}

/** "1.13.0" → "1.13": the part a shared library's SONAME carries, which must match. */
export function majorMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}
