// lrp-node build: builds the addon from source for the libtorch on this machine, into the
// package's build/Release (which the loader tries first). Only needed where no shipped binary fits
// (another libtorch version, a CUDA libtorch without a CUDA prebuild); it needs g++, cmake and the
// libtorch headers (Debian/Ubuntu: libtorch-dev). An explicit command, not an install script, so
// installing lrp-node never compiles (docs/install.md).
import { spawn } from 'child_process';
import * as path from 'path';

import { LrpError } from '../errors';
import { packageRoot } from '../native/binding';
import { parseCommand, UsageFactory } from './args';

export const BUILD_USAGE = 'lrp-node build    (compiles the addon for the libtorch here: needs g++, cmake, libtorch headers)';

export async function buildCommand(args: string[], usage: UsageFactory): Promise<void> {
  parseCommand(args, {}, usage);
  const script = path.join(packageRoot, 'scripts', 'build-native.js');
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: packageRoot, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (status !== 0) throw new LrpError('LRP_BUILD_FAILED', `the build failed (exit ${status}); its output above says why`);
  process.stderr.write(`lrp-node: built ${path.join(packageRoot, 'build', 'Release', 'lrp_node.node')}; \`lrp-node doctor\` shows it is chosen\n`);
}
