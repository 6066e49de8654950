'use strict';
// The command line: --help everywhere, init, token create, migrate, and a
// bad configuration value stopping the start with one line.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { BIN, uniqueDir, freshDatabase, startServer } = require('./lib/server');
const { request } = require('./lib/http');

function run(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, {
      env: { PATH: process.env.PATH, PITCHBAR_PASSWORD_COST: 'interactive', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

function databaseEnv(label) {
  const dir = uniqueDir(label);
  return { dir, env: { PITCHBAR_DATABASE_URL: freshDatabase(dir), PITCHBAR_SECRET_KEY_FILE: path.join(dir, 'pitchbar.key') } };
}

test('--help: the binary and every command explain themselves', async () => {
  const top = await run(['--help']);
  assert.equal(top.code, 0);
  for (const cmd of ['serve', 'worker', 'migrate', 'init', 'token', 'user', 'routes']) assert.match(top.out, new RegExp(`\\b${cmd}\\b`));
  assert.match(top.out, /PITCHBAR_DATABASE_URL/);
  for (const args of [['serve', '--help'], ['worker', '--help'], ['migrate', '--help'], ['init', '--help'], ['token', 'create', '--help'], ['user', '--help'], ['user', 'add', '--help'], ['user', 'set-password', '--help'], ['routes', '--help']]) {
    const r = await run(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    assert.match(r.out, /^usage: pitchbar /, args.join(' '));
  }
  const unknown = await run(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command frobnicate/);
  assert.equal((await run(['init', '--workspace', 'W'])).code, 2, 'init without --email');
});

test('init makes a workspace and its Owner; token create makes a token that the API accepts', { timeout: 60000 }, async (t) => {
  const { env } = databaseEnv('cli-init');
  const first = await run(['init', '--workspace', 'Acme', '--email', ' Dana@Example.COM ', '--name', 'Dana', '--password', 's3cret-pass'], env);
  assert.equal(first.code, 0, first.err);
  const made = JSON.parse(first.out);
  assert.deepEqual(Object.keys(made).sort(), ['agent_id', 'email', 'password', 'widget_key', 'workspace_id']);
  assert.match(made.workspace_id, /^ws_/);
  assert.match(made.agent_id, /^agt_/);
  assert.match(made.widget_key, /^wk_/);
  assert.equal(made.email, 'dana@example.com');
  assert.equal(made.password, 's3cret-pass');

  // The same person in a second workspace keeps their password.
  const second = await run(['init', '--workspace', 'Beta', '--email', 'dana@example.com', '--password', 'another-pass'], env);
  assert.equal(second.code, 0, second.err);
  assert.equal(JSON.parse(second.out).password, null);
  assert.match(second.err, /dana@example\.com has an account already; their password stays/);
  assert.doesNotMatch(first.err, /has an account already/);

  const ambiguous = await run(['token', 'create', '--email', 'dana@example.com'], env);
  assert.equal(ambiguous.code, 1);
  assert.match(ambiguous.err, /--workspace/);
  const byName = await run(['token', 'create', '--email', 'dana@example.com', '--workspace', 'Acme'], env);
  assert.equal(byName.code, 0, byName.err);
  const token = byName.out.trim();
  assert.match(token, /^pbt_[A-Za-z0-9_-]{43}$/);
  const nobody = await run(['token', 'create', '--email', 'nobody@example.com'], env);
  assert.equal(nobody.code, 1);

  const bad = await run(['init', '--workspace', 'Gamma', '--email', 'not-an-address'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^pitchbar: init: email/m);

  // A server on that database takes the token, in its workspace.
  const srv = await startServer({ label: 'cli-server', join: { database: env.PITCHBAR_DATABASE_URL, dir: path.dirname(env.PITCHBAR_SECRET_KEY_FILE), token, widgetKey: made.widget_key } });
  t.after(() => srv.cleanup());
  const lead = await request('POST', `${srv.url}/widget/v1/${made.widget_key}/leads`, { body: { email: 'visitor@example.com' } });
  assert.equal(lead.status, 201, lead.text);
  const leads = await request('GET', `${srv.url}/api/v1/leads`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(leads.status, 200);
  assert.deepEqual(leads.json.data.map((l) => l.email), ['visitor@example.com']);
  await srv.stop();
});

test('migrate applies the schema and exits 0; a bad setting stops with one line naming it', async () => {
  const { env } = databaseEnv('cli-migrate');
  const m = await run(['migrate'], env);
  assert.equal(m.code, 0, m.err);
  assert.equal((await run(['migrate'], env)).code, 0, 'migrating twice');
  for (const [name, value] of [['PITCHBAR_WORKERS', 'many'], ['PITCHBAR_SQLITE_SYNCHRONOUS', 'always'], ['PITCHBAR_RETRY_DELAYS', '10'], ['PITCHBAR_LISTEN', 'nowhere']]) {
    const r = await run(['migrate'], { ...env, [name]: value });
    assert.equal(r.code, 1, `${name}=${value}`);
    const lines = r.err.trim().split('\n');
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0], new RegExp(`^pitchbar: ${name}: expects`));
  }
});

test('a misspelt PITCHBAR_ variable is named in a warning; a --config file line must name a setting', async () => {
  const { dir, env } = databaseEnv('cli-unknown');
  const typo = await run(['migrate'], { ...env, PITCHBAR_WORKRES: '8' });
  assert.equal(typo.code, 0, typo.err);
  assert.match(typo.err, /level=warn event=config\.unknown_variable name=PITCHBAR_WORKRES\b/);
  assert.doesNotMatch(typo.err, /PITCHBAR_DATABASE_URL/, 'known settings are not warned about');

  const file = path.join(dir, 'pitchbar.conf');
  fs.writeFileSync(file, '# comment\nPITCHBAR_LOG_LEVEL = warn\nPITCHBAR_LISTNE=127.0.0.1:1\n');
  const bad = await run(['--config', file, 'migrate'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^pitchbar: --config .*pitchbar\.conf:3: expects a setting/);
  fs.writeFileSync(file, '# comment\nPITCHBAR_LOG_LEVEL = warn\n');
  const good = await run(['--config', file, 'migrate'], env);
  assert.equal(good.code, 0, good.err);
});

test('migrate touches no secret: it creates no key file', async () => {
  const { env } = databaseEnv('cli-nokey');
  const m = await run(['migrate'], env);
  assert.equal(m.code, 0, m.err);
  assert.equal(fs.existsSync(env.PITCHBAR_SECRET_KEY_FILE), false);
});
