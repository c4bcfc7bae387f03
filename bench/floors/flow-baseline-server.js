// @ts-check
'use strict';
/**
 * The consent start's floor ("the raw baseline"): a bare node:http server doing the same Redis work as
 * `POST /v1/consent-flows` (one MULTI of two SETs with TTLs, as StateStore.setMany) with ioredis,
 * and nothing else: no framework, no JWT, no validation. Sizes and TTLs come from the environment.
 */
const { createServer } = require('node:http');
const { randomBytes, randomUUID } = require('node:crypto');
const Redis = require('ioredis').default;

const port = Number(process.env.PORT ?? 0);
const recordBytes = Number(process.env.RECORD_BYTES ?? 600);
const secretsBytes = Number(process.env.SECRETS_BYTES ?? 150);
const prefix = process.env.KEY_PREFIX ?? 'bench-baseline:';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15', { enableOfflineQueue: true, maxRetriesPerRequest: 1 });

const pad = (n) => 'x'.repeat(Math.max(0, n));

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const id = randomUUID();
    const state = randomBytes(32).toString('base64url');
    const body = Buffer.concat(chunks).toString('utf8');
    const record = JSON.stringify({ id, body, pad: pad(recordBytes - body.length - 60) });
    const secrets = JSON.stringify({ flowId: id, pad: pad(secretsBytes - 50) });
    redis
      .multi()
      .set(`${prefix}flow:${id}`, record, 'EX', 86_400)
      .set(`${prefix}flow-state:${state}`, secrets, 'EX', 600)
      .exec()
      .then(
        () => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id, authorizationUrl: `http://127.0.0.1/oauth2/auth?state=${state}` }));
        },
        () => {
          res.writeHead(503);
          res.end();
        },
      );
  });
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
  process.exit(0);
});
