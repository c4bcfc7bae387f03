// @ts-check
'use strict';
/**
 * The floor of a data read by consent: a bare Fastify server doing the same I/O as the service's
 * route and nothing else. Per request: one indexed PostgreSQL read of the consent, one Redis read
 * of the upstream token, one undici call to the simulator, one INSERT of an audit row, the
 * upstream's JSON out. No caller JWT, no validation, no mapping, no metrics, no logging.
 *
 * Environment: PORT, DATABASE_URL, REDIS_URL, POOL_SIZE (the service's, 10), TOKEN_KEY (a Redis
 * key the bench filled with an upstream token), UPSTREAM_URL (with `{providerConsentId}`),
 * AUDIT_ACTION, AUDIT_DATASET. Route: GET /v1/consents/:id/* (whatever follows the id).
 * Optional: UPSTREAM_HEADERS (JSON, more request headers, e.g. a PSU-ID) and UPSTREAM_THEN (URLs
 * separated by spaces, called at once after UPSTREAM_URL answers: a route that reads a list and
 * then each item, as accounts with their balances); the answers go out as one JSON array.
 */
const Fastify = require('fastify');
const Redis = require('ioredis').default;
const { Pool } = require('pg');
const { Agent, request } = require('undici');

const env = (/** @type {string} */ name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const pool = new Pool({ connectionString: env('DATABASE_URL'), max: Number(process.env.POOL_SIZE ?? 10) });
const redis = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: 1 });
// As the service's upstream client: keep-alive, a bounded pool per origin.
const dispatcher = new Agent({ connections: 128, keepAliveTimeout: 30_000 });
const tokenKey = env('TOKEN_KEY');
const upstream = env('UPSTREAM_URL');
const action = env('AUDIT_ACTION');
const dataset = env('AUDIT_DATASET');
const extraHeaders = JSON.parse(process.env.UPSTREAM_HEADERS ?? '{}');
const then = (process.env.UPSTREAM_THEN ?? '').split(' ').filter(Boolean);

async function call(/** @type {string} */ url, /** @type {string | null} */ token) {
  const res = await request(url, { dispatcher, headers: { ...extraHeaders, authorization: `Bearer ${token}`, accept: 'application/json' } });
  return { status: res.statusCode, body: await res.body.json() };
}

const app = Fastify({ logger: false });
app.get('/v1/consents/:id/*', async (req, reply) => {
  const { id } = /** @type {{ id: string }} */ (req.params);
  const { rows } = await pool.query('SELECT * FROM consent WHERE id = $1', [id]);
  if (rows.length === 0) return reply.code(404).send({ code: 'CONSENT_NOT_FOUND' });
  const token = await redis.get(tokenKey);
  const first = await call(upstream.replace('{providerConsentId}', encodeURIComponent(rows[0].provider_consent_id)), token);
  const rest = await Promise.all(then.map((url) => call(url, token)));
  const status = Math.max(first.status, ...rest.map((r) => r.status));
  const body = rest.length === 0 ? first.body : [first.body, ...rest.map((r) => r.body)];
  await pool.query('INSERT INTO audit_event (action, outcome, dataset, consent_id, actor_subject, actor_client, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    action,
    'success',
    dataset,
    id,
    'bench-floor',
    'bench-floor',
    String(req.id),
  ]);
  return reply.code(status).send(body);
});

app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
process.on('SIGTERM', () => {
  void app.close().finally(() => {
    redis.disconnect();
    void pool.end();
    process.exit(0);
  });
});
