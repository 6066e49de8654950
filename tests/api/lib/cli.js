'use strict';
// The pitchbar command line on a running server's database: `user add`,
// `token create`, `init`, `routes`, with the environment the server uses
// (its database URL and key file).

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { BIN } = require('./server');

// run(args, env, {cwd}) -> {code, out, err}: the binary with PATH, a
// fast password cost and env; nothing else of ours.
function run(args, env = {}, { cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      cwd,
      env: { PATH: process.env.PATH, PITCHBAR_PASSWORD_COST: 'interactive', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

function serverEnv(srv) {
  return {
    PITCHBAR_DATABASE_URL: srv.database,
    PITCHBAR_SECRET_KEY_FILE: path.join(srv.dir, 'pitchbar.key'),
  };
}

// run on srv's database; asserts exit 0 and returns stdout.
async function runOk(srv, args) {
  const r = await run(args, serverEnv(srv));
  assert.equal(r.code, 0, `pitchbar ${args.join(' ')} exited ${r.code}: ${r.err}`);
  return r.out;
}

/*
 * cli(srv) -> helpers on srv's database:
 *   userAdd({email, role, workspace, password, name}) -> {user_id, email, role, password}
 *   tokenCreate({email, workspace}) -> "pbt_..."
 *   init({workspace, email, password, name}) -> {workspace_id, agent_id, widget_key, email, password}
 */
function cli(srv) {
  return {
    run: (args) => run(args, serverEnv(srv)),
    async userAdd({ email, role, workspace, password, name }) {
      const args = ['user', 'add', '--email', email, '--role', role, '--workspace', workspace];
      if (password) args.push('--password', password);
      if (name) args.push('--name', name);
      return JSON.parse(await runOk(srv, args));
    },
    async tokenCreate({ email, workspace }) {
      const out = (await runOk(srv, ['token', 'create', '--email', email, '--workspace', workspace])).trim();
      assert.match(out, /^pbt_\S+$/, `token create printed ${out}`);
      return out;
    },
    async init({ workspace, email, password, name }) {
      const args = ['init', '--workspace', workspace, '--email', email];
      if (password) args.push('--password', password);
      if (name) args.push('--name', name);
      return JSON.parse(await runOk(srv, args));
    },
  };
}

// The route table as the binary prints it: [{method, pattern, permission}].
async function routeTable() {
  const r = await run(['routes']);
  assert.equal(r.code, 0, `pitchbar routes exited ${r.code}: ${r.err}`);
  const table = JSON.parse(r.out);
  assert.ok(Array.isArray(table) && table.length > 0, `pitchbar routes printed no table: ${r.out}`);
  return table;
}

module.exports = { run, cli, routeTable, serverEnv };
