import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/config.loader';
import { buildOpenApiDocument, serializeOpenApiDocument } from './openapi-document';

const root = join(__dirname, '..', '..');
const OPENAPI_DOCUMENT_PATH = join(root, 'openapi', 'openapi.json');
const CLIENT_SCHEMA_PATH = join(root, 'openapi', 'client', 'src', 'schema.ts');

/**
 * `npm run openapi`: the document from the code, without listening, PostgreSQL or Redis. Nest's
 * preview mode resolves the module graph but instantiates no provider, so nothing connects; the
 * configuration is sandbox mode's defaults from an empty environment (never this machine's), so
 * the output is the same everywhere.
 */
async function main(): Promise<void> {
  const config = loadConfig({});
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register({ config }), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    const document = buildOpenApiDocument(app);
    mkdirSync(dirname(OPENAPI_DOCUMENT_PATH), { recursive: true });
    writeFileSync(OPENAPI_DOCUMENT_PATH, serializeOpenApiDocument(document));
    process.stdout.write(`wrote ${relative(root, OPENAPI_DOCUMENT_PATH)} (${Object.keys(document.paths).length} paths)\n`);
  } finally {
    await app.close();
  }

  // The client's types: openapi-typescript is a build-time tool (ES module, CLI), run as its own
  // process. From the client's folder, so it does not apply the root redocly.yaml: linting is
  // `npm run openapi:lint`'s job, and a lint finding should not hide the drift check's answer.
  const cli = join(dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
  mkdirSync(dirname(CLIENT_SCHEMA_PATH), { recursive: true });
  execFileSync(process.execPath, [cli, OPENAPI_DOCUMENT_PATH, '--output', CLIENT_SCHEMA_PATH], { cwd: dirname(CLIENT_SCHEMA_PATH), stdio: ['ignore', 'ignore', 'inherit'] });
  process.stdout.write(`wrote ${relative(root, CLIENT_SCHEMA_PATH)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
