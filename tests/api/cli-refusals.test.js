'use strict';
// What the command line refuses, and how: a command that needs a
// database never makes one (only serve, worker, migrate and init do), and
// a wrong command line says in one line what is wrong before the usage.
// --help after an action shows that action's usage.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { uniqueDir, freshDatabase } = require('./lib/server');
const { run } = require('./lib/cli');

const PG = Boolean(process.env.PITCHBAR_TEST_PG);

// Every file under dir, relative to it.
function filesUnder(dir) {
  return fs.readdirSync(dir, { recursive: true }).sort();
}

// The commands that need a database made already, each well formed.
const NEEDING = [
  ['jobs', 'list'],
  ['jobs', 'retry', 'job_01ARZ3NDEKTSV4RRFFQ69G5FA1'],
  ['jobs', 'discard', 'job_01ARZ3NDEKTSV4RRFFQ69G5FA1'],
  ['token', 'create', '--email', 'dana@example.com'],
  ['user', 'add', '--email', 'dana@example.com', '--role', 'admin', '--workspace', 'Acme'],
  ['user', 'set-password', '--email', 'dana@example.com'],
];

test('without a database, only serve, worker, migrate and init make one: the other commands refuse, naming it, and create nothing', { timeout: 60000 }, async () => {
  const dir = uniqueDir('cli-no-database');
  const want = 'pitchbar: no database at var/pitchbar.db; run pitchbar migrate or pitchbar serve first\n';
  for (const args of NEEDING) {
    const r = await run(args, {}, { cwd: dir });
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.out, '', args.join(' '));
    assert.equal(r.err, want, args.join(' '));
    assert.deepEqual(filesUnder(dir), [], `${args.join(' ')} created files`);
  }

  // An empty file is no database either, and stays as it was.
  fs.mkdirSync(path.join(dir, 'var'));
  fs.writeFileSync(path.join(dir, 'var', 'pitchbar.db'), '');
  const empty = await run(['jobs', 'list'], {}, { cwd: dir });
  assert.equal(empty.code, 1);
  assert.equal(empty.err, 'pitchbar: the database at var/pitchbar.db holds no schema; run pitchbar migrate or pitchbar serve first\n');
  assert.equal(fs.statSync(path.join(dir, 'var', 'pitchbar.db')).size, 0);
  fs.rmSync(path.join(dir, 'var'), { recursive: true });

  // migrate makes it; then the commands run on it.
  const m = await run(['migrate'], {}, { cwd: dir });
  assert.equal(m.code, 0, m.err);
  assert.ok(fs.existsSync(path.join(dir, 'var', 'pitchbar.db')));
  const listed = await run(['jobs', 'list'], {}, { cwd: dir });
  assert.equal(listed.code, 0, listed.err);
  assert.equal(listed.out, '');
  const nobody = await run(['token', 'create', '--email', 'dana@example.com'], {}, { cwd: dir });
  assert.equal(nobody.code, 1);
  assert.doesNotMatch(nobody.err, /no database/);
});

test('init makes the database it is pointed at', { timeout: 60000 }, async () => {
  const dir = uniqueDir('cli-init-makes');
  const r = await run(['init', '--workspace', 'Acme', '--email', 'dana@example.com'], {}, { cwd: dir });
  assert.equal(r.code, 0, r.err);
  assert.ok(fs.existsSync(path.join(dir, 'var', 'pitchbar.db')));
});

test('PostgreSQL: a database that holds no schema is refused the same way', { skip: !PG && 'runs on PostgreSQL only', timeout: 60000 }, async () => {
  const dir = uniqueDir('cli-pg-empty');
  const env = { PITCHBAR_DATABASE_URL: freshDatabase(dir), PITCHBAR_SECRET_KEY_FILE: path.join(dir, 'pitchbar.key') };
  for (const args of NEEDING) {
    const r = await run(args, env, { cwd: dir });
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err, 'pitchbar: the database of PITCHBAR_DATABASE_URL holds no schema; run pitchbar migrate or pitchbar serve first\n', args.join(' '));
    assert.deepEqual(filesUnder(dir), [], `${args.join(' ')} created files`);
  }
  assert.equal((await run(['migrate'], env, { cwd: dir })).code, 0);
  const listed = await run(['jobs', 'list'], env, { cwd: dir });
  assert.equal(listed.code, 0, listed.err);
});

test('a wrong command line names what is wrong in one line, then shows the usage; exit 2', async () => {
  const dir = uniqueDir('cli-usage');
  for (const [args, line, usage] of [
    [['user', 'add', '--email', 'a@b.c', '--role', 'god', '--workspace', 'X'], 'user add: --role must be owner, admin or member', 'user add'],
    [['user', 'add', '--email', 'a@b.c', '--role', 'admin'], 'user add: --workspace is required', 'user add'],
    [['user', 'add', '--role', 'admin', '--workspace', 'X'], 'user add: --email is required', 'user add'],
    [['user', 'add', '--email'], 'user add: --email expects a value', 'user add'],
    [['user', 'add', '--frob'], 'user add: --frob is no option', 'user add'],
    [['user', 'add', '--email', 'a@b.c', '--role', 'admin', '--workspace', 'X', 'extra'], 'user add: unexpected argument extra', 'user add'],
    [['user', 'set-password'], 'user set-password: --email is required', 'user set-password'],
    [['user', 'set-password', '--email', 'a@b.c', '--role', 'admin'], 'user set-password takes no --role', 'user set-password'],
    [['user'], 'user: expects add or set-password', 'user add'],
    [['user', 'frob'], 'user: frob is no action', 'user add'],
    [['init', '--workspace', 'W'], 'init: --email is required', 'init'],
    [['init', '--email', 'a@b.c'], 'init: --workspace is required', 'init'],
    [['init', '--workspace', 'W', '--email', 'a@b.c', 'extra'], 'init: unexpected argument extra', 'init'],
    [['init', '--colour', 'red'], 'init: --colour is no option', 'init'],
    [['token'], 'token: expects create', 'token create'],
    [['token', 'create'], 'token create: --email is required', 'token create'],
    [['token', 'create', '--email', 'a@b.c', '--password', 'x'], 'token create: --password is no option', 'token create'],
    [['migrate', 'now'], 'migrate: unexpected argument now', 'migrate'],
    [['routes', 'all'], 'routes: unexpected argument all', 'routes'],
    [['serve', '--workers', 'many'], 'serve: --workers expects a whole number from 0 to 64', 'serve'],
    [['serve', 'now'], 'serve: unexpected argument now', 'serve'],
    [['worker', '--listen', '127.0.0.1:1'], 'worker takes no --listen', 'worker'],
    [['worker', '--workers', '65'], 'worker: --workers expects a whole number from 0 to 64', 'worker'],
    [['jobs'], 'jobs: expects list, retry or discard', 'jobs list'],
    [['jobs', 'frob'], 'jobs: frob is no action', 'jobs list'],
  ]) {
    const r = await run(args, {}, { cwd: dir });
    const what = args.join(' ');
    assert.equal(r.code, 2, `${what}: ${r.err}`);
    assert.equal(r.out, '', what);
    const lines = r.err.split('\n');
    assert.equal(lines[0], `pitchbar: ${line}`, what);
    assert.match(lines[1], new RegExp(`^usage: pitchbar ${usage}\\b`), what);
    assert.equal(r.err.split('\n').filter((l) => l.startsWith('pitchbar: ')).length, 1, r.err);
  }
  assert.deepEqual(filesUnder(dir), [], 'a refused command line created files');
});

test('--help after an action shows that action\'s usage; after a group, every action\'s', async () => {
  for (const [args, heads] of [
    [['user', 'set-password', '--help'], ['user set-password']],
    [['user', 'add', '-h'], ['user add']],
    [['user', 'add', '--email', 'a@b.c', '--help'], ['user add']],
    [['user', '--help'], ['user add', 'user set-password']],
    [['jobs', 'retry', '--help'], ['jobs retry']],
    [['jobs', 'discard', 'job_x', '--help'], ['jobs discard']],
    [['jobs', 'list', '--help'], ['jobs list']],
    [['jobs', '--help'], ['jobs list', 'jobs retry', 'jobs discard']],
    [['token', 'create', '--help'], ['token create']],
    [['init', '--help'], ['init']],
    [['migrate', '--help'], ['migrate']],
    [['routes', '--help'], ['routes']],
    [['serve', '--help'], ['serve']],
    [['worker', '--help'], ['worker']],
  ]) {
    const r = await run(args);
    const what = args.join(' ');
    assert.equal(r.code, 0, `${what}: ${r.err}`);
    assert.equal(r.err, '', what);
    const shown = r.out.split('\n').filter((l) => l.startsWith('usage: ')).map((l) => /^usage: pitchbar (\S+(?: [a-z][a-z-]*)?)/.exec(l)[1]);
    assert.deepEqual(shown, heads, `${what}:\n${r.out}`);
  }
});

test('serve --listen: a bad address is blamed on --listen, not on PITCHBAR_LISTEN', { timeout: 60000 }, async () => {
  const dir = uniqueDir('cli-listen');
  const env = { PITCHBAR_DATABASE_URL: `sqlite:${path.join(dir, 'pitchbar.db')}`, PITCHBAR_SECRET_KEY_FILE: path.join(dir, 'pitchbar.key') };
  const bad = await run(['serve', '--listen', 'nonsense'], env, { cwd: dir });
  assert.equal(bad.code, 1);
  assert.equal(bad.err, 'pitchbar: --listen: expects HOST:PORT\n');
  const unresolved = await run(['serve', '--listen', '999.1.1.1:80'], env, { cwd: dir });
  assert.equal(unresolved.code, 1);
  assert.match(unresolved.err, /^pitchbar: --listen: expects HOST:PORT, got 999\.1\.1\.1:80$/m);
  assert.doesNotMatch(unresolved.err, /PITCHBAR_LISTEN/);
  const fromEnv = await run(['serve'], { ...env, PITCHBAR_LISTEN: 'nonsense' }, { cwd: dir });
  assert.equal(fromEnv.code, 1);
  assert.equal(fromEnv.err, 'pitchbar: PITCHBAR_LISTEN: expects HOST:PORT\n');
});
