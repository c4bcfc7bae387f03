import Fastify, { type FastifyInstance } from 'fastify';

export interface ListenOptions {
  /** Default 0: an ephemeral port, for tests. */
  port?: number;
  /** Default 127.0.0.1: a simulator never listens beyond the machine unless told. */
  host?: string;
}

export interface SimulatorServer {
  /** `http://host:port` as bound. */
  url: string;
  close(): Promise<void>;
}

/**
 * A simulator on its own port. No logger: a simulator must never write national ids, codes or tokens
 * anywhere. forceCloseConnections: `timeout` faults keep sockets open on purpose, and close must not wait for them.
 */
export async function startSimulatorServer(register: (app: FastifyInstance) => PromiseLike<unknown>, opts: ListenOptions = {}): Promise<SimulatorServer> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await register(app);
  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('sandbox did not bind a TCP port');
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return { url, close: () => app.close() };
}

/** What a `start…Sandbox()` answers: the running server and the simulator's state, for tests to drive. */
export type StartedSimulator<S> = SimulatorServer & { sandbox: S };
