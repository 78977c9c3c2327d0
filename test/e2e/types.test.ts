// The published declarations stand on their own: a consumer compiles with `tsc --strict` where
// no @types are loaded by themselves (TypeScript 7's behaviour, set here with `types: []`), and the
// options' types reject misuse (test/types/consumer.ts, its @ts-expect-error lines).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { REPO } from '../helpers';

const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

function compileConsumer(source: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrp-types-'));
  fs.writeFileSync(path.join(dir, 'consumer.ts'), source);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, types: [], target: 'ES2021', lib: ['ES2021'], module: 'commonjs',
      moduleResolution: 'node10', skipLibCheck: false, paths: { 'lrp-node': [path.join(REPO, 'dist', 'index.d.ts')] },
    },
    files: ['consumer.ts'],
  }));
  const result = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('published types', () => {
  const consumer = fs.readFileSync(path.join(__dirname, '..', 'types', 'consumer.ts'), 'utf8');

  test('a strict consumer with no automatic @types compiles, and every misuse is rejected', () => {
    expect(compileConsumer(consumer)).toEqual({ status: 0, output: '' });
  }, 60000);

  test('a misuse that compiles is caught (the check can fail)', () => {
    const broken = consumer.replace("// @ts-expect-error a device that does not exist\n  await loadModel('model.pt', { device: 'tpu' });", "await loadModel('model.pt', { device: 'tpu' });");
    expect(broken).not.toBe(consumer);
    expect(compileConsumer(broken).output).toMatch(/consumer\.ts\(\d+,\d+\): error TS2322: Type '"tpu"'/);
  }, 60000);

  test('declarations that use Node types reference them', () => {
    for (const file of fs.readdirSync(path.join(REPO, 'dist'), { recursive: true }) as string[]) {
      if (!file.endsWith('.d.ts')) continue;
      const text = fs.readFileSync(path.join(REPO, 'dist', file), 'utf8');
      if (/\bBuffer\b|\bNodeJS\./.test(text)) expect([file, text.includes('/// <reference types="node"')]).toEqual([file, true]);
    }
  });
});
