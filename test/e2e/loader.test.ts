import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { backends, loadedBinary, versions } from '../../lib';
import { readBuildInfo } from '../../lib/native/binding';
import { REPO } from '../helpers';

function loadInSubprocess(env: Record<string, string>) {
  const script = `try { require(${JSON.stringify(path.join(REPO, 'dist', 'index.js'))}).versions(); console.log('loaded'); }
                  catch (e) { console.log(e.code + ': ' + e.message); }`;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout;
}

describe('native loader', () => {
  test('versions() and backends()', () => {
    const v = versions();
    expect(v.lrpNode).toBe(require('../../package.json').version);
    expect(v.libtorch).toMatch(/^\d+\.\d+\.\d+/);
    expect(v.napi).toBe(8);
    expect(v.nodeNapi).toBeGreaterThanOrEqual(8);
    expect(backends()).toContain('cpu');
    expect(backends().includes('cuda')).toBe(v.cuda && backends().length > 1);
  });

  test('the binary records the libtorch it was built against', () => {
    const info = readBuildInfo(loadedBinary() as string);
    const found = require('../../scripts/find-libtorch.js').findLibtorch();
    expect(info).toEqual({ libtorch: found.version, cuda: found.cuda });
  });

  test('a libtorch version mismatch is reported by version, with the remedy', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-loader-'));
    versions();
    const original = fs.readFileSync(loadedBinary() as string);
    const marker = original.indexOf('LRP_NODE_BUILD_INFO:{"libtorch":"');
    const patched = Buffer.from(original);
    const at = marker + 'LRP_NODE_BUILD_INFO:{"libtorch":"'.length;
    patched.write('9', at, 'latin1'); // "1.13.0" -> "9.13.0", same length
    fs.writeFileSync(path.join(dir, 'lrp_node.node'), patched);
    const out = loadInSubprocess({ LRP_NODE_BINARY: path.join(dir, 'lrp_node.node') });
    expect(out).toMatch(/^LRP_NATIVE_LOAD_FAILED: could not load the lrp-node native addon/);
    expect(out).toMatch(/built against libtorch 9\.\d+\.\d+, but the libtorch found here is \d+\.\d+\.\d+/);
    // Remedies name what a consumer can run: the Debian runtime package of the version wanted, the build command.
    expect(out).toMatch(/`apt-get install libtorch9\.13`.*`npx lrp-node build`/s);
    expect(out).not.toMatch(/npm run/);
  });

  test('when every variant fails, one error lists every attempt', () => {
    const out = loadInSubprocess({ LRP_NODE_BINARY: path.join(os.tmpdir(), 'no-such-lrp.node') });
    expect(out).toMatch(/no-such-lrp\.node: not present/);
  });
});
