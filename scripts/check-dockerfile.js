#!/usr/bin/env node
// Checks the Dockerfile against the house rules for production images. No Docker engine and no
// extra dependency: a small parser of Dockerfile instructions (continuations, comments, parser
// directives, JSON and shell forms, build stages, ARG substitution in FROM).
//
//   node scripts/check-dockerfile.js [path/to/Dockerfile]     (default: ./Dockerfile)
//
// Rules:
//   pinned-base       every base image has an exact version tag (x.y.z…) or an @sha256 digest
//   non-root-user     the final stage switches to a numeric, non-zero USER
//   npm-ci            dependencies are installed with `npm ci`, never `npm install`
//   no-remote-add     ADD never fetches a URL (use a checked download in RUN, or COPY)
//   no-secrets        no ENV/ARG whose name looks like a secret carries a value
//   node-env          the final stage sets NODE_ENV=production
//   exec-form-cmd     the final stage starts with an exec-form CMD/ENTRYPOINT that is not npm/yarn
// A HEALTHCHECK is deliberately not required: Kubernetes probes /health/live and /health/ready.
'use strict';

const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');

const SECRET_NAME = /SECRET|KEY|PASSWORD|PASSWD|TOKEN|CREDENTIAL/i;
const EXACT_VERSION_TAG = /^v?\d+\.\d+\.\d+([-._][A-Za-z0-9._-]+)?$/;

/** Splits a Dockerfile into instructions: {line, keyword, args}. */
function parseInstructions(text) {
  const lines = text.split(/\r?\n/);
  const instructions = [];
  let escape = '\\';
  let inDirectives = true;
  let current = null;
  let heredoc = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (heredoc) {
      // Heredoc bodies (RUN <<EOF … EOF) belong to the instruction that opened them.
      current.args += `\n${raw}`;
      if (raw.trim() === heredoc) {
        instructions.push(current);
        current = null;
        heredoc = null;
      }
      continue;
    }
    if (inDirectives) {
      const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(raw);
      if (directive) {
        if (directive[1].toLowerCase() === 'escape') escape = directive[2];
        continue;
      }
      inDirectives = false;
    }
    const trimmed = raw.trim();
    let rest;
    if (current === null) {
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const match = /^(\S+)\s*(.*)$/.exec(trimmed);
      current = { line: i + 1, keyword: match[1].toUpperCase(), args: '' };
      rest = match[2];
    } else {
      // Comment lines inside a continuation are dropped by Docker as well.
      if (trimmed.startsWith('#')) continue;
      rest = trimmed;
    }
    const continues = rest.endsWith(escape);
    const piece = continues ? rest.slice(0, -escape.length) : rest;
    current.args = current.args ? `${current.args} ${piece.trim()}` : piece.trim();
    if (continues) continue;
    const opener = /<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/.exec(current.args);
    if (opener && ['RUN', 'COPY', 'ADD'].includes(current.keyword)) {
      heredoc = opener[1];
      continue;
    }
    instructions.push(current);
    current = null;
  }
  if (current) instructions.push(current);
  return instructions;
}

/** Leading `--flag[=value]` options (e.g. --platform, --from, --mount) and the remainder. */
function splitFlags(args) {
  const flags = {};
  let rest = args;
  for (;;) {
    const m = /^--([a-zA-Z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    flags[m[1]] = m[2] ?? true;
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

/** ENV/ARG `a=1 b="2 3"` and the legacy `ENV name value` form → [{name, value}]. */
function parseAssignments(keyword, args) {
  if (keyword === 'ENV' && !/^[^\s=]+=/.test(args)) {
    const m = /^(\S+)(?:\s+(.*))?$/.exec(args);
    return m ? [{ name: m[1], value: m[2] ?? '' }] : [];
  }
  const result = [];
  const re = /([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  let m;
  while ((m = re.exec(args))) {
    const value = m[2] === undefined ? undefined : m[2].replace(/^(["'])(.*)\1$/, '$2');
    result.push({ name: m[1], value });
  }
  return result;
}

function jsonArray(args) {
  if (!args.trim().startsWith('[')) return null;
  try {
    const value = JSON.parse(args);
    return Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

function substitute(value, vars) {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a, dflt, b) => {
    const name = a ?? b;
    return vars[name] !== undefined && vars[name] !== '' ? vars[name] : (dflt ?? '');
  });
}

/** Returns the list of problems: [{line, rule, message}]; empty when the Dockerfile passes. */
function checkDockerfile(text) {
  const problems = [];
  const report = (line, rule, message) => problems.push({ line, rule, message });
  const instructions = parseInstructions(text);

  const globalArgs = {};
  const stages = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      stages.push({ line: ins.line, args: ins.args, instructions: [] });
    } else if (stages.length === 0) {
      // Only ARG may precede the first FROM; its defaults can be used in FROM lines.
      if (ins.keyword === 'ARG') {
        for (const { name, value } of parseAssignments('ARG', ins.args)) globalArgs[name] = value ?? '';
      }
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
    if ((ins.keyword === 'ENV' || ins.keyword === 'ARG') && ins.args) {
      for (const { name, value } of parseAssignments(ins.keyword, ins.args)) {
        if (SECRET_NAME.test(name) && value !== undefined && value !== '') {
          report(ins.line, 'no-secrets', `${ins.keyword} ${name} sets a secret-looking value in the image; pass secrets at run time (Kubernetes Secret) or as a BuildKit secret mount`);
        }
      }
    }
    if (ins.keyword === 'ADD') {
      const { rest } = splitFlags(ins.args);
      const sources = jsonArray(rest) ?? rest.split(/\s+/);
      for (const src of sources.slice(0, -1)) {
        if (/^(https?|ftp|git):\/\/|^git@/i.test(src)) {
          report(ins.line, 'no-remote-add', `ADD fetches ${src}; download in a RUN step with a checksum, or COPY a vendored file`);
        }
      }
    }
    if (ins.keyword === 'RUN' && /\b(npm|pnpm)\s+(install|i|add)\b/.test(ins.args)) {
      report(ins.line, 'npm-ci', 'RUN uses `npm install`; use `npm ci` so the image installs exactly the lockfile');
    }
  }

  if (stages.length === 0) {
    report(1, 'pinned-base', 'no FROM instruction found');
    return problems;
  }

  const stageNames = new Set();
  for (const stage of stages) {
    const { rest } = splitFlags(substitute(stage.args, globalArgs));
    const [image = '', as, name] = rest.split(/\s+/);
    const ref = image.trim();
    if (ref.toLowerCase() === 'scratch' || stageNames.has(ref.toLowerCase())) {
      // builds on an earlier stage of this file: pinned where that stage's base is
    } else if (ref === '' || ref.includes('$')) {
      report(stage.line, 'pinned-base', `FROM ${stage.args}: the base image is not resolvable from ARG defaults, so it cannot be proven pinned`);
    } else if (!/@sha256:[0-9a-f]{64}$/.test(ref)) {
      const lastSlash = ref.lastIndexOf('/');
      const colon = ref.indexOf(':', lastSlash + 1);
      const tag = colon === -1 ? '' : ref.slice(colon + 1);
      if (tag === '') {
        report(stage.line, 'pinned-base', `FROM ${ref} has no tag (that means :latest); pin an exact version such as node:24.22.3-bookworm-slim`);
      } else if (!EXACT_VERSION_TAG.test(tag)) {
        report(stage.line, 'pinned-base', `FROM ${ref} is not pinned to an exact version (tag "${tag}" moves); use a full x.y.z tag or an @sha256 digest`);
      }
    }
    if (as && as.toLowerCase() === 'as' && name) stageNames.add(name.toLowerCase());
  }

  const final = stages[stages.length - 1];
  const users = final.instructions.filter((i) => i.keyword === 'USER');
  const lastUser = users[users.length - 1];
  if (!lastUser) {
    report(final.line, 'non-root-user', 'the final stage has no USER instruction, so the container runs as root');
  } else {
    const [user, group] = lastUser.args.trim().split(':');
    if (user === 'root' || /^0+$/.test(user) || group === 'root' || (group !== undefined && /^0+$/.test(group))) {
      report(lastUser.line, 'non-root-user', `USER ${lastUser.args} runs as root`);
    } else if (!/^\d+$/.test(user)) {
      report(lastUser.line, 'non-root-user', `USER ${lastUser.args} is a name; use the numeric UID (e.g. 1000) so Kubernetes runAsNonRoot can verify it`);
    }
  }

  const nodeEnv = final.instructions
    .filter((i) => i.keyword === 'ENV')
    .flatMap((i) => parseAssignments('ENV', i.args))
    .filter((a) => a.name === 'NODE_ENV')
    .pop();
  if (!nodeEnv || nodeEnv.value !== 'production') {
    report(final.line, 'node-env', 'the final stage does not set ENV NODE_ENV=production');
  }

  if (!instructions.some((i) => i.keyword === 'RUN' && /\bnpm\s+ci\b/.test(i.args))) {
    report(1, 'npm-ci', 'no RUN step installs dependencies with `npm ci`');
  }

  const start = final.instructions.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
  if (start.length === 0) {
    report(final.line, 'exec-form-cmd', 'the final stage has no CMD or ENTRYPOINT; expected CMD ["node", "dist/main.js"]');
  }
  for (const ins of start) {
    const argv = jsonArray(ins.args);
    if (!argv) {
      report(ins.line, 'exec-form-cmd', `${ins.keyword} uses the shell form: /bin/sh becomes PID 1 and does not forward SIGTERM; use the JSON (exec) form`);
    } else if (['npm', 'yarn', 'pnpm', 'npx'].includes(String(argv[0]).split('/').pop())) {
      report(ins.line, 'exec-form-cmd', `${ins.keyword} starts ${argv[0]}: it does not forward SIGTERM to node, so the graceful drain never runs; start node directly`);
    }
  }

  return problems.sort((a, b) => a.line - b.line);
}

function main(argv) {
  const path = resolve(argv[0] ?? 'Dockerfile');
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    process.stderr.write(`check-dockerfile: cannot read ${path}: ${err.message}\n`);
    return 2;
  }
  const problems = checkDockerfile(text);
  if (problems.length === 0) {
    process.stdout.write(`check-dockerfile: ${path} passes (pinned base, npm ci, non-root user, no secrets, NODE_ENV=production)\n`);
    return 0;
  }
  for (const p of problems) process.stderr.write(`${path}:${p.line}: [${p.rule}] ${p.message}\n`);
  process.stderr.write(`check-dockerfile: ${problems.length} problem(s)\n`);
  return 1;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}

module.exports = { checkDockerfile, parseInstructions };
