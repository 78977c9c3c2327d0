// `lrp-node serve` as an HTTP server on Fastify (docs/serve.md): POST /explain through the model's
// dynamic batcher, GET /healthz, GET /metrics. It reads and writes no file named by a request.
import Fastify, { FastifyInstance, FastifyReply } from 'fastify';

import { ExplainBatcher } from '../explain/batcher';
import { LrpError } from '../errors';
import { parseTarget } from '../explain/config_file';
import type { ExplainConfig, Explanation } from '../explain/options';
import { encodeHeatmapPng, HeatmapOptions } from '../image/heatmap';
import type { Model } from '../model';
import { encodeNpy } from '../io/npy';
import type { Preprocessing } from '../image/preprocessing';
import { Tensor } from '../tensor';
import { BodyDecoder } from './request_body';
import { ServeMetrics } from './serve_metrics';

export interface ServeOptions {
  model: Model;
  config: ExplainConfig;
  preprocessing?: Preprocessing;
  maxBatch?: number;
  maxDelayMs?: number;
  maxQueue?: number;
  /** Largest request body in bytes (default 16 MiB): above it, 413. */
  bodyLimit?: number;
  /** A request not answered by then gets 503 (default 30 s); its explanation is dropped. */
  timeoutMs?: number;
  heatmap?: HeatmapOptions;
}

export interface Server {
  app: FastifyInstance;
  batcher: ExplainBatcher;
  metrics: ServeMetrics;
  /** Stops taking requests, answers those in flight, then resolves. */
  close(): Promise<void>;
}

const REPLY_TYPES = ['application/x-npy', 'image/png', 'application/json'] as const;
type ReplyType = (typeof REPLY_TYPES)[number];

/** HTTP status of an error: the caller's fault (400), overload (503) or ours (500). */
function statusOf(error: LrpError): number {
  if (error.code === 'LRP_QUEUE_FULL' || error.code === 'LRP_TIMEOUT') return 503;
  if (['LRP_BAD_INPUT', 'LRP_BAD_SHAPE', 'LRP_BAD_ARGUMENT', 'LRP_NOT_FINITE'].includes(error.code)) return 400;
  return 500;
}

function oneLine(message: string): string {
  return message.split('\n').join(' ');
}

function timeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LrpError('LRP_TIMEOUT', `no explanation within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * The reply type an Accept header prefers (highest q, then first listed); absent or wildcard: .npy.
 * application/octet-stream is taken as .npy.
 */
export function replyType(accept: string | undefined): ReplyType | undefined {
  if (!accept) return 'application/x-npy';
  let best: { type: ReplyType; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';').map((p) => p.trim());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    const type: ReplyType | undefined = range === 'application/octet-stream' || range === '*/*' || range === 'application/*' ? 'application/x-npy'
      : range === 'image/*' ? 'image/png' : REPLY_TYPES.find((t) => t === range);
    if (type && q > 0 && (!best || q > best.q)) best = { type, q };
  }
  return best?.type;
}

/** Each sample's predicted class (argmax of its logits). */
function predicted(output: Tensor): number[] {
  const classes = output.shape[1] ?? 1;
  return Array.from({ length: output.shape[0] }, (_, s) => {
    const row = output.data.subarray(s * classes, (s + 1) * classes);
    return row.reduce((best, v, k) => (v > row[best] ? k : best), 0);
  });
}

export async function createServer(options: ServeOptions): Promise<Server> {
  const { model, config } = options;
  if (model.inputNames.length !== 1) {
    throw new LrpError('LRP_BAD_ARGUMENT', `serve takes models with one input; this one has ${model.inputNames.length} (${model.inputNames.join(', ')})`);
  }
  const timeoutMs = options.timeoutMs ?? 30000;
  const batcher = model.batcher({ config, maxBatch: options.maxBatch, maxDelayMs: options.maxDelayMs, maxQueue: options.maxQueue });
  const metrics = new ServeMetrics(() => batcher.stats);
  batcher.onBatch = (samples) => metrics.batchSize.observe(samples);
  const decoder = new BodyDecoder(options.preprocessing);
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024, logger: false, return503OnClosing: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  function fail(reply: FastifyReply, error: unknown, started: bigint): FastifyReply {
    const lrp = LrpError.from(error);
    const status = statusOf(lrp);
    if (status === 503) reply.header('retry-after', '1');
    observe(status, started);
    return reply.code(status).type('text/plain').send(`${lrp.code}: ${oneLine(lrp.message)}\n`);
  }

  function observe(status: number, started: bigint): void {
    metrics.requests.inc({ status: String(status) });
    metrics.latency.observe({ status: String(status) }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  async function reply(reply: FastifyReply, type: ReplyType, result: Explanation): Promise<Buffer | string> {
    const classes = predicted(result.output);
    reply.header('x-predicted-class', classes.join(','));
    reply.type(type);
    if (type === 'image/png') return encodeHeatmapPng(result.relevance, options.heatmap ?? {});
    if (type === 'application/json') {
      return JSON.stringify({
        shape: result.relevance.shape, relevance: Array.from(result.relevance.data),
        logits: Array.from(result.output.data), outputShape: result.output.shape, predicted: classes,
      });
    }
    return encodeNpy(result.relevance);
  }

  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.post('/explain', async (request, res) => {
    const started = process.hrtime.bigint();
    try {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const unknown = Object.keys(query).filter((k) => k !== 'target');
      if (unknown.length > 0) throw new LrpError('LRP_BAD_ARGUMENT', `unknown query parameter '${unknown[0]}' (known: target)`);
      if (Array.isArray(query.target)) throw new LrpError('LRP_BAD_ARGUMENT', 'target is given more than once');
      const type = replyType(request.headers.accept);
      if (!type) {
        observe(406, started);
        return res.code(406).type('text/plain').send(`LRP_BAD_ARGUMENT: Accept must allow one of ${REPLY_TYPES.join(', ')}\n`);
      }
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new LrpError('LRP_BAD_INPUT', 'the request has no body: send an .npy array or an image');
      const target = parseTarget(typeof query.target === 'string' ? query.target : 'argmax');
      const input = await decoder.decode(body);
      const result = await timeout(batcher.explain(input, { target }), timeoutMs);
      const payload = await reply(res, type, result);
      observe(200, started);
      return res.code(200).send(payload);
    } catch (error) {
      return fail(res, error, started);
    }
  });
  app.setErrorHandler((error, _request, reply) => {
    // Fastify's own refusals (a body over the limit, a malformed request): one line, their status.
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    metrics.requests.inc({ status: String(status) });
    reply.code(status).type('text/plain').send(`${status === 413 ? 'LRP_BAD_INPUT' : 'LRP_INTERNAL'}: ${oneLine((error as Error).message)}\n`);
  });

  // While closing, each reply ends its connection: a client's idle keep-alive socket would
  // otherwise hold the server open until its keep-alive timeout.
  let closing = false;
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  return {
    app,
    batcher,
    metrics,
    async close() {
      // The requests received wait in the batcher: run them now, while Fastify stops listening
      // and waits for their replies.
      closing = true;
      await Promise.all([app.close(), batcher.drained()]);
    },
  };
}
