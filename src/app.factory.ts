import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { MetricsService } from './metrics/metrics.service';
import { createLogger, installRequestLogging, PinoNestLogger } from './common/logging';
import { installLingeringClose } from './common/lingering-close';
import { clientErrorHandler } from './common/problem.filter';
import { AppError } from './common/problem';
import { genRequestId } from './common/request-id';
import { assertDtoParametersValidated } from './common/validation';
import { AppConfig } from './config/app-config';
import { loadConfig } from './config/config.loader';
import { ShutdownState } from './health/shutdown.state';
import { buildOpenApiDocument } from './openapi/openapi-document';
import type { SandboxRuntime } from './sandbox/sandbox-runtime';

export { buildOpenApiDocument };

export const BODY_LIMIT_BYTES = 16 * 1024;

export interface CreateAppOptions {
  env: NodeJS.ProcessEnv;
  redisKeyPrefix?: string;
  logDestination?: DestinationStream;
  logLevel?: string;
  /** Sandbox mode: where the embedded database keeps its files ('memory' for none). */
  sandboxDataDir?: string;
}

export interface RunningApp {
  app: NestFastifyApplication;
  config: AppConfig;
  sandbox: SandboxRuntime | undefined;
  close(): Promise<void>;
}

/**
 * The sandbox's simulators, issuer and embedded database, required only in sandbox mode: a
 * production process never loads their code, nor the test-certificate stack they pull in (3.2 MiB
 * less V8 heap after a full GC, 290 fewer modules).
 */
function loadSandboxRuntime(): typeof import('./sandbox/sandbox-runtime') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  return require('./sandbox/sandbox-runtime') as typeof import('./sandbox/sandbox-runtime');
}

/** Builds the whole service (not listening yet); main.ts, `npm run openapi` and the tests share it. */
export async function createApp(options: CreateAppOptions): Promise<RunningApp> {
  let config = loadConfig(options.env);
  const sandbox = config.sandbox ? await loadSandboxRuntime().startSandboxRuntime(config, options.sandboxDataDir ?? join(process.cwd(), '.sandbox'), options.env) : undefined;
  if (sandbox) config = sandbox.config;

  const logger = createLogger({ level: options.logLevel ?? 'info', destination: options.logDestination });
  const nestLogger = new PinoNestLogger(logger);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: genRequestId,
    return503OnClosing: true,
    clientErrorHandler,
    forceCloseConnections: 'idle',
    // Fastify's default (100) answers a longer path segment with its own plain-JSON 414; let it
    // reach the routes, whose id pipes answer 400 problem+json (URLs stay within Node's 16 KB anyway).
    routerOptions: { maxParamLength: 16 * 1024 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ config, redisKeyPrefix: options.redisKeyPrefix }),
    adapter,
    // Nest would add a form-body parser globally; the API takes JSON only (parsers below).
    { logger: nestLogger, abortOnError: false, bodyParser: false },
  ).catch(async (error: unknown) => {
    await sandbox?.stop();
    throw error;
  });
  try {
    assertDtoParametersValidated(app);
  } catch (error) {
    await app.close();
    await sandbox?.stop();
    throw error;
  }

  // Errors raised before Nest's router (body parsing, size limit, media type) reach Nest's error
  // handler too, and so the global ProblemFilter: one problem+json for everything.
  const fastify = app.getHttpAdapter().getInstance();
  installRequestLogging(fastify, logger);
  app.get(MetricsService).recordHttpRequests(fastify);
  acceptJsonBodiesOnly(fastify);
  installLingeringClose(fastify);
  const shutdown = app.get(ShutdownState);
  // A callback hook, not an async one: a promise per response is measurable on small requests.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // Draining: answers to in-flight requests close their keep-alive connection, so app.close()
    // is not held open by clients that would keep an idle connection for the next request.
    if (shutdown.draining) void reply.header('connection', 'close');
    void reply.header('x-request-id', request.id);
    void reply.header('x-content-type-options', 'nosniff');
    if (request.url.startsWith('/v1/') || request.url === '/v1') void reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  if (config.corsAllowedOrigins.length > 0) {
    app.enableCors({
      origin: [...config.corsAllowedOrigins],
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-national-id', 'idempotency-key', 'x-request-id'],
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    });
  }
  if (sandbox) await sandbox.mount(app);

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json', yamlDocumentUrl: 'docs/openapi.yaml' });
  await app.init();

  return {
    app,
    config,
    sandbox,
    close: async () => {
      await app.close();
      await sandbox?.stop();
    },
  };
}

/**
 * JSON is the only body the API takes: anything else is a 415 from Fastify, and a body that is not
 * JSON is a 400 MALFORMED_BODY (Fastify's parser keeps its prototype-poisoning protection). The
 * sandbox plugins register their own form parser inside their encapsulated scope.
 */
function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(new AppError('MALFORMED_BODY', 'The body is empty but Content-Type says application/json.'), undefined);
    parseJson(request, body as string, (error, value) => (error ? done(new AppError('MALFORMED_BODY', 'The body is not valid JSON.'), undefined) : done(null, value)));
  });
}
