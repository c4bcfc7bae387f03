import 'reflect-metadata';
import { createApp, RunningApp } from './app.factory';
import { flushLogs } from './common/logging';
import { ConfigError, SANDBOX_PATHS } from './config/config.loader';
import { ShutdownState } from './health/shutdown.state';

async function listen(running: RunningApp): Promise<void> {
  const { app, config } = running;
  if (config.sandbox) {
    // Sandbox mode mints caller tokens with any scope for whoever reaches /sandbox/idp/token: this
    // machine only. (Clients that try ::1 for localhost first fall back to 127.0.0.1.)
    await app.listen({ port: config.port, host: '127.0.0.1' });
    return;
  }
  try {
    await app.listen({ port: config.port, host: '::' });
  } catch (error) {
    // Hosts without IPv6 cannot bind '::'.
    if ((error as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT') throw error;
    await app.listen({ port: config.port, host: '0.0.0.0' });
  }
}

function printSandboxBanner(running: RunningApp): void {
  const { config, sandbox } = running;
  if (!sandbox) return;
  const base = `http://localhost:${config.port}`;
  const lines = [
    '',
    '  SANDBOX MODE: nothing here talks to the real NoGi or holds real data.',
    `  Listening on 127.0.0.1:${config.port} only: the local IdP issues tokens with any scope.`,
    '',
    ...sandbox.banner.map((l) => `  ${l}`),
    '',
    `  API docs     ${base}/docs`,
    `  Caller token npm run token -- consent:write consent:read debt:read [--national-id 14842249091]`,
    sandbox.issuer ? `               or POST ${base}${SANDBOX_PATHS.idp}/token (form: scope, national_id)` : '',
    `  Try it       see README.md, "Walk the consent flow in the sandbox"`,
    '',
  ].filter((l) => l !== '');
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

async function main(): Promise<void> {
  let running: RunningApp;
  try {
    running = await createApp({ env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await listen(running);
  flushLogs();
  printSandboxBanner(running);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.app.get(ShutdownState).draining = true;
    // SHUTDOWN_DRAIN_SECONDS: the Helm chart sets it from shutdown.drainSeconds, within the pod's grace period.
    const drainSeconds = running.config.shutdownDrainSeconds;
    const timer = setTimeout(() => {
      process.stderr.write(`shutdown: drain took longer than ${drainSeconds} s (SHUTDOWN_DRAIN_SECONDS), exiting\n`);
      process.exit(1);
    }, drainSeconds * 1000);
    timer.unref();
    // app.close() stops accepting, waits for in-flight requests, then closes pools and Redis.
    await running.close();
    flushLogs();
    process.stdout.write(`shutdown: ${signal} handled, in-flight requests drained\n`);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
