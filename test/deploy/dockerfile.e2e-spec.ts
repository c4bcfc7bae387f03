import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Proves scripts/check-dockerfile.js on the real Dockerfile, and that it fails on Dockerfiles that
// break each rule (a check that never fails proves nothing).

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'check-dockerfile.js');

function check(path: string): { status: number; output: string } {
  const result = spawnSync(process.execPath, [script, path], { cwd: root, encoding: 'utf8' });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

const good = `# syntax=docker/dockerfile:1
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY src ./src
RUN npm run build

FROM node:24.22.3-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/dist ./dist
USER 1000:1000
CMD ["node", "dist/main.js"]
`;

describe('the Dockerfile check', () => {
  let dir: string;
  const write = (text: string) => {
    const path = join(dir, `Dockerfile.${Math.random().toString(36).slice(2)}`);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'check-dockerfile-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the repository Dockerfile', () => {
    const result = check(join(root, 'Dockerfile'));
    expect(result.output).toContain('passes');
    expect(result.status).toBe(0);
  });

  it('passes a minimal Dockerfile that follows every rule', () => {
    expect(check(write(good)).status).toBe(0);
  });

  it('keeps the repository Dockerfile on a pinned Node 24 slim base, running node as user 1000', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^node:24\.\d+\.\d+-(bookworm-slim|alpine[\d.]*)(@sha256:[0-9a-f]{64})?$/);
    expect(dockerfile).toMatch(/^USER 1000(:1000)?$/m);
    // node itself, with at most V8 flags before the script (NODE_OPTIONS refuses some of them).
    expect(dockerfile).toMatch(/^CMD \["node", ("--[a-z-]+=\d+", )*"dist\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it.each([
    ['an unpinned base image', good.replace('FROM node:24.22.3-bookworm-slim\n', 'FROM node:24-slim\n'), 'pinned-base', 'node:24-slim'],
    ['a latest tag', good.replace('FROM node:24.22.3-bookworm-slim AS build', 'FROM node:latest AS build'), 'pinned-base', 'node:latest'],
    ['a base image without a tag', good.replace('FROM node:24.22.3-bookworm-slim AS build', 'FROM node AS build'), 'pinned-base', 'has no tag'],
    ['an unpinned base behind an ARG', `ARG BASE=node:lts\n${good.replace('FROM node:24.22.3-bookworm-slim AS build', 'FROM ${BASE} AS build')}`, 'pinned-base', 'node:lts'],
    ['no USER in the final stage', good.replace('USER 1000:1000\n', ''), 'non-root-user', 'runs as root'],
    ['USER root in the final stage', good.replace('USER 1000:1000', 'USER root'), 'non-root-user', 'USER root'],
    ['a named USER Kubernetes cannot verify', good.replace('USER 1000:1000', 'USER node'), 'non-root-user', 'numeric UID'],
    ['npm install instead of npm ci', good.replace('RUN npm ci --ignore-scripts', 'RUN npm install'), 'npm-ci', 'npm install'],
    ['npm install hidden in a continuation line', good.replace('RUN npm ci --ignore-scripts', 'RUN npm ci && \\\n    npm i left-pad'), 'npm-ci', 'npm install'],
    ['ADD of a remote URL', good.replace('WORKDIR /app\nCOPY package.json', 'WORKDIR /app\nADD https://example.com/tool.tgz /tmp/\nCOPY package.json'), 'no-remote-add', 'https://example.com/tool.tgz'],
    ['a secret-looking ENV with a value', good.replace('ENV NODE_ENV=production', 'ENV NODE_ENV=production NPM_TOKEN=abc123'), 'no-secrets', 'NPM_TOKEN'],
    ['a secret-looking ARG with a default', `ARG DB_PASSWORD=hunter2\n${good}`, 'no-secrets', 'DB_PASSWORD'],
    ['a legacy-form secret ENV', good.replace('WORKDIR /app\nCOPY --from', 'ENV API_KEY abc\nWORKDIR /app\nCOPY --from'), 'no-secrets', 'API_KEY'],
    ['no NODE_ENV=production in the final stage', good.replace('ENV NODE_ENV=production\n', ''), 'node-env', 'NODE_ENV=production'],
    ['NODE_ENV set only in a build stage', good.replace('ENV NODE_ENV=production\n', '').replace('WORKDIR /app\nCOPY package.json', 'ENV NODE_ENV=production\nWORKDIR /app\nCOPY package.json'), 'node-env', 'NODE_ENV=production'],
    ['npm as the start command', good.replace('CMD ["node", "dist/main.js"]', 'CMD ["npm", "run", "start:prod"]'), 'exec-form-cmd', 'SIGTERM'],
    ['a shell-form CMD', good.replace('CMD ["node", "dist/main.js"]', 'CMD node dist/main.js'), 'exec-form-cmd', 'shell form'],
  ])('fails a Dockerfile with %s and names the rule', (_label, text, rule, detail) => {
    expect(text).not.toBe(good);
    const result = check(write(text));
    expect(result.status).toBe(1);
    expect(result.output).toContain(`[${rule}]`);
    expect(result.output).toContain(detail);
  });

  it('ignores a secret-looking ARG without a value (a build argument supplied at build time)', () => {
    expect(check(write(`ARG NPM_TOKEN\n${good}`)).status).toBe(0);
  });

  it('exits with status 2 when the Dockerfile does not exist', () => {
    expect(check(join(dir, 'missing')).status).toBe(2);
  });
});
