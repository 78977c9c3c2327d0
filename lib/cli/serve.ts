// `lrp-node serve`: an HTTP explanation service for one model and one config (docs/serve.md). It
// runs until SIGTERM or SIGINT, then answers the requests in flight and exits 0.
import { parseExplainFile } from '../explain/config_file';
import { readJsonFile } from '../io/json_file';
import { loadModel } from '../model';
import { createServer } from '../serve/server';
import { parseCommand, requiredOption, UsageFactory } from './args';

export const SERVE_USAGE = 'lrp-node serve    --model M.pt --config C.json [--port 8080] [--host 127.0.0.1] [--max-batch 16] [--max-delay-ms 5]\n' +
  '                    [--max-queue 256] [--body-limit-mb 16] [--timeout-ms 30000] [--trust-code]';

/** A whole number flag in [min, max], or its default. */
function wholeNumber(value: unknown, name: string, fallback: number, min: number, max: number, usage: UsageFactory): number {
  if (value === undefined) return fallback;
  const text = value as string;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw usage(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return Number(text);
}

export async function serveCommand(args: string[], usage: UsageFactory): Promise<void> {
  const parsed = parseCommand(args, {
    model: { type: 'string' }, config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
    'max-batch': { type: 'string' }, 'max-delay-ms': { type: 'string' }, 'max-queue': { type: 'string' },
    'body-limit-mb': { type: 'string' }, 'timeout-ms': { type: 'string' }, 'trust-code': { type: 'boolean' },
  }, usage);
  const { values } = parsed;
  const modelPath = requiredOption(parsed, 'model', usage);
  const configPath = requiredOption(parsed, 'config', usage);
  const port = wholeNumber(values.port, 'port', 8080, 0, 65535, usage);
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const maxBatch = wholeNumber(values['max-batch'], 'max-batch', 16, 1, 4096, usage);
  const maxDelayMs = wholeNumber(values['max-delay-ms'], 'max-delay-ms', 5, 0, 60000, usage);
  const maxQueue = wholeNumber(values['max-queue'], 'max-queue', 256, 1, 1e6, usage);
  const bodyLimitMb = wholeNumber(values['body-limit-mb'], 'body-limit-mb', 16, 1, 1024, usage);
  const timeoutMs = wholeNumber(values['timeout-ms'], 'timeout-ms', 30000, 1, 3600000, usage);
  const { config, preprocessing } = parseExplainFile(await readJsonFile(configPath, 'config file'), configPath);
  const model = await loadModel(modelPath, { trustCode: Boolean(values['trust-code']) });
  const server = await createServer({ model, config, preprocessing, maxBatch, maxDelayMs, maxQueue, bodyLimit: bodyLimitMb * 1024 * 1024, timeoutMs });
  const address = await server.app.listen({ port, host });
  process.stdout.write(`lrp-node serve: listening on ${address}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      process.stdout.write('lrp-node serve: stopping: answering the requests in flight\n');
      server.close().then(resolve, resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  model.dispose();
}
