// lrp-node doctor: the binary chosen and why (every candidate), the libtorch found, threads, the
// cache setting, Node and Node-API versions; exit 1 with everything printed when nothing loads.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { CLI } from '../helpers';

function doctor(args: string[], env: Record<string, string> = {}) {
  const clean = { ...process.env };
  delete clean.LRP_NODE_BINARY;
  delete clean.LRP_NODE_CPU_CACHE_MB;
  return spawnSync(process.execPath, [CLI, 'doctor', ...args], { encoding: 'utf8', env: { ...clean, ...env } });
}

describe('lrp-node doctor', () => {
  test('prints the binary chosen, the libtorch found, threads, the cache default and the versions', () => {
    const result = doctor([]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = result.stdout;
    const runtime = require('../../lib/native/libtorch_runtime').findRuntimeLibtorch().found;
    expect(out).toContain(`libtorch: ${runtime.version} (read from ${runtime.versionFrom}), ${runtime.cuda ? 'with CUDA' : 'CPU only'}`);
    expect(out).toContain(`in ${runtime.libDir} (found through ${runtime.source})`);
    expect(out).toContain(`node ${process.version}, Node-API ${process.versions.napi}`);
    expect(out).toMatch(/^chosen: \S+\.node$/m);
    expect(out).toMatch(/: loaded$/m);
    expect(out).toMatch(/^threads: \d+ per native call/m);
    expect(out).toContain('CPU tensor cache: 1024 MB (default;');
  });

  test('--json: every candidate accounted for, the cache setting as set', () => {
    const result = doctor(['--json'], { LRP_NODE_CPU_CACHE_MB: '64' });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.cpuCache).toEqual({ setting: '64', megabytes: 64 });
    const loaded = report.loader.attempts.filter((a: { outcome: string }) => a.outcome === 'loaded');
    expect(loaded.map((a: { file: string }) => a.file)).toEqual([report.loader.chosen]);
    expect(report.loader.attempts.length + report.notTried.length).toBe(3);
    expect(report.addon.napi).toBe(8);
    expect(report.addon.backends).toContain('cpu');
  });

  test('nothing loadable: exit 1, every candidate with its reason, the remedy, one line on stderr', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-doctor-'));
    const fake = path.join(dir, 'fake.node');
    fs.writeFileSync(fake, 'not a binary');
    const result = doctor([], { LRP_NODE_BINARY: fake });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`LRP_NODE_BINARY ${fake}: skipped: not an lrp-node binary (no build info)`);
    expect(result.stdout).toMatch(/^chosen: none$/m);
    expect(result.stdout).toMatch(/Remedy: .*`npx lrp-node build`/);
    expect(result.stderr).toBe('lrp-node doctor: no lrp-node binary could be loaded (see above)\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an invalid cache setting is named, and bad usage exits 2', () => {
    const result = doctor([], { LRP_NODE_CPU_CACHE_MB: '1.5' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("CPU tensor cache: invalid LRP_NODE_CPU_CACHE_MB='1.5'");
    expect(doctor(['--bogus']).status).toBe(2);
  });
});
