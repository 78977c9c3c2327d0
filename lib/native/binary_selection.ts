// Which addon binaries to try, and why the others are passed over. Pure decisions (no file is
// opened here) so each one is tested on its own; lib/native/binding.ts gathers the facts and loads.
//
// Order: a local build (made on this machine by `npx lrp-node build`, so the newest), then the
// prebuilt CUDA variant, then the prebuilt CPU one. The CUDA prebuild is tried only where a GPU
// and a CUDA libtorch are both present; the CPU one runs on a CUDA libtorch too (libtorch_cpu is
// part of it). A binary is passed over when the libtorch here has another major.minor version
// than the one it was built against: that is what the libraries' SONAME (libtorch_cpu.so.1.13)
// pins, and what the dynamic loader would refuse anyway, with a less helpful message.
import { majorMinor, RuntimeLibtorch } from './libtorch_runtime';

export type CandidateKind = 'LRP_NODE_BINARY' | 'local build' | 'prebuilt CUDA' | 'prebuilt CPU';

export interface BuildInfo {
  libtorch: string;
  cuda: boolean;
}

export interface Candidate {
  kind: CandidateKind;
  file: string;
  present: boolean;
  /** The build info embedded in the binary; undefined for a file that has none. */
  info?: BuildInfo;
}

export interface Facts {
  runtime?: RuntimeLibtorch;
  /** An NVIDIA GPU is visible (a /proc/driver/nvidia/gpus entry or /dev/nvidia0). */
  gpu: boolean;
}

/** The Debian/Ubuntu package holding libtorch's shared libraries for a version: libtorch1.13. */
export function debianRuntimePackage(version: string): string {
  return `libtorch${majorMinor(version)}`;
}

/** Why the candidate is not worth loading, or undefined when it should be tried. */
export function reasonToSkip(candidate: Candidate, facts: Facts): string | undefined {
  if (!candidate.present) return 'not present';
  const info = candidate.info;
  if (!info) return 'not an lrp-node binary (no build info)';
  const runtime = facts.runtime;
  if (runtime?.version && majorMinor(runtime.version) !== majorMinor(info.libtorch)) {
    return `built against libtorch ${info.libtorch}, but the libtorch found here is ${runtime.version} (${runtime.libDir})`;
  }
  if (candidate.kind === 'prebuilt CUDA' && !facts.gpu) return 'a CUDA build, but no NVIDIA GPU is visible here';
  if (info.cuda && runtime && !runtime.cuda) return `a CUDA build, but the libtorch here has no CUDA (no libtorch_cuda in ${runtime.libDir})`;
  return undefined;
}

/**
 * What to tell the user when nothing loaded: commands they can run in their own project. The
 * version wanted is the one the shipped binaries were built against.
 */
export function remedy(candidates: Candidate[], facts: Facts): string {
  const wanted = candidates.find((c) => c.info)?.info?.libtorch;
  const build = '`npx lrp-node build` (needs g++, cmake and the libtorch headers: `apt-get install libtorch-dev g++ cmake` on Debian/Ubuntu)';
  if (!wanted) {
    return facts.runtime
      ? `Remedy: build lrp-node for the libtorch here with ${build}.`
      : `Remedy: install a libtorch, then build lrp-node with ${build}.`;
  }
  const install = `install the libtorch ${majorMinor(wanted)} runtime (Debian/Ubuntu: \`apt-get install ${debianRuntimePackage(wanted)}\`), ` +
    `or point LIBTORCH at a libtorch ${majorMinor(wanted)} folder and add its lib/ to LD_LIBRARY_PATH`;
  return facts.runtime ? `Remedy: ${install}; or build lrp-node for the libtorch here with ${build}.` : `Remedy: ${install}.`;
}
