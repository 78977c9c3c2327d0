// lrp-node doctor: what a user (or a bug report) needs when the addon does not load or behaves
// oddly: every binary considered and why it was taken or passed over, the libtorch found (where,
// which version, read from what, CUDA or not), threads, the tensor cache setting, Node and
// Node-API versions. Exit 0 when a binary loaded, 1 when none did (everything is printed anyway).
import { LrpError } from '../errors';
import { candidateBinaries, loaderReport, loadNative, LoaderReport, packageRoot, shownPath } from '../native/binding';
import { parseCommand, UsageFactory } from './args';

export const DOCTOR_USAGE = 'lrp-node doctor  [--json]';

/** The tensor cache's size as the addon reads it (native/binding/addon.cpp): default 1024 MB. */
export const DEFAULT_CPU_CACHE_MB = 1024;

export interface DoctorReport {
  lrpNode: string;
  node: string;
  nodeNapi: number;
  loader: LoaderReport;
  /** Binaries not considered because an earlier one loaded. */
  notTried: string[];
  error?: string;
  addon?: { libtorch: string; napi: number; cuda: boolean; backends: string[]; threads: number };
  cpuCache: { setting?: string; megabytes: number | null };
}

function cacheSetting(): DoctorReport['cpuCache'] {
  const setting = process.env.LRP_NODE_CPU_CACHE_MB;
  if (setting === undefined || setting === '') return { megabytes: DEFAULT_CPU_CACHE_MB };
  return { setting, megabytes: /^\d+$/.test(setting) ? Number(setting) : null };
}

export function diagnose(): DoctorReport {
  let error: string | undefined;
  let addon: DoctorReport['addon'];
  try {
    const native = loadNative();
    addon = { ...native.versions(), backends: native.backends(), threads: native.threads() };
  } catch (caught) {
    error = (caught as Error).message;
  }
  const loader = loaderReport() ?? { searched: [], gpu: false, attempts: [] };
  const considered = new Set(loader.attempts.map((a) => a.file));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const pkg = require(`${packageRoot}/package.json`) as { version: string };
  return {
    lrpNode: pkg.version,
    node: process.version,
    nodeNapi: Number(process.versions.napi),
    loader,
    notTried: candidateBinaries().filter((f) => !considered.has(f)),
    ...(error ? { error } : {}),
    ...(addon ? { addon } : {}),
    cpuCache: cacheSetting(),
  };
}

function libtorchLines(loader: LoaderReport): string[] {
  const runtime = loader.runtime;
  if (!runtime) return ['libtorch: none found', `  searched: ${loader.searched.join(', ') || 'nothing'}`];
  return [
    `libtorch: ${runtime.version ?? 'version unknown'}${runtime.versionFrom ? ` (read from ${runtime.versionFrom})` : ''}, ` +
      `${runtime.cuda ? 'with CUDA' : 'CPU only'}`,
    `  in ${runtime.libDir} (found through ${runtime.source})`,
  ];
}

export function formatDiagnosis(report: DoctorReport): string {
  const { loader, addon, cpuCache } = report;
  const lines = [`lrp-node ${report.lrpNode}`, `node ${report.node}, Node-API ${report.nodeNapi}`, ...libtorchLines(loader)];
  lines.push(`GPU: ${loader.gpu ? 'an NVIDIA GPU is visible' : 'none visible'}`);
  lines.push('binaries, in the order tried:');
  for (const attempt of loader.attempts) {
    const built = attempt.info ? ` (libtorch ${attempt.info.libtorch}, ${attempt.info.cuda ? 'CUDA' : 'CPU'})` : '';
    const outcome = attempt.outcome === 'loaded' ? 'loaded' : `${attempt.outcome}: ${attempt.reason}`;
    lines.push(`  ${attempt.kind}${built} ${shownPath(attempt.file)}: ${outcome}`);
  }
  const why = loader.chosen ? 'an earlier binary loaded' : 'the loader stopped before it';
  for (const file of report.notTried) lines.push(`  ${shownPath(file)}: not tried (${why})`);
  lines.push(`chosen: ${loader.chosen ? shownPath(loader.chosen) : 'none'}`);
  if (addon) {
    lines.push(`addon: libtorch ${addon.libtorch}, Node-API ${addon.napi}, backends ${addon.backends.join(', ')}`);
    lines.push(`threads: ${addon.threads} per native call (threads(n) in the API changes it)`);
  }
  const cache = cpuCache.megabytes === null
    ? `invalid LRP_NODE_CPU_CACHE_MB='${cpuCache.setting}' (a whole number of megabytes)`
    : `${cpuCache.megabytes} MB${cpuCache.setting === undefined ? ' (default; set LRP_NODE_CPU_CACHE_MB to change, 0 turns it off)' : ' (LRP_NODE_CPU_CACHE_MB)'}`;
  lines.push(`CPU tensor cache: ${cache}`);
  if (report.error) lines.push('', report.error);
  return lines.join('\n') + '\n';
}

export async function doctorCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, { json: { type: 'boolean' } }, usage);
  const report = diagnose();
  process.stdout.write(parsed.values.json ? JSON.stringify(report, null, 1) + '\n' : formatDiagnosis(report));
  if (!report.addon) throw new LrpError('LRP_NATIVE_LOAD_FAILED', 'no lrp-node binary could be loaded (see above)');
}
