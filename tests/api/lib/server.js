'use strict';
// Starts the real pitchbar binary on a free port with a fresh database in
// tests/out/<unique>/, and stops it checking that it exited cleanly and
// that no sanitizer reported anything. With PITCHBAR_TEST_PG set (the
// admin URL of a PostgreSQL server, see tools/with-pg.sh) each server gets
// a fresh PostgreSQL database instead of a SQLite file.

const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { request } = require('./http');
const { waitUntil, scaled } = require('./wait');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const OUT = path.join(ROOT, 'tests', 'out');
const BIN = path.resolve(ROOT, process.env.PITCHBAR_BIN || 'build/test/pitchbar');

const SANITIZER_MARKS = ['AddressSanitizer', 'LeakSanitizer', 'runtime error:', 'ThreadSanitizer'];

// Every child still running, so that none outlives the test process.
const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const PG_ADMIN = process.env.PITCHBAR_TEST_PG || '';

// A fresh database for dir: a PostgreSQL one when the suite runs on
// PostgreSQL, else a SQLite file in dir.
function freshDatabase(dir) {
  if (!PG_ADMIN) return `sqlite:${path.join(dir, 'pitchbar.db')}`;
  const name = `t_${path.basename(dir).replace(/[^a-z0-9]/gi, '_').toLowerCase()}`.slice(0, 60);
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', PG_ADMIN, '-c', `CREATE DATABASE ${name}`]);
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return url.toString();
}

function uniqueDir(label) {
  const name = `${label || 'srv'}-${Date.now()}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const dir = path.join(OUT, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// The environment of the child: ours without any PITCHBAR_* variable, then
// the test settings, then the overrides (a value of null removes one).
function childEnv(dir, port, database, overrides) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PITCHBAR_')) env[k] = v;
  }
  Object.assign(env, {
    PITCHBAR_DATABASE_URL: database,
    PITCHBAR_SECRET_KEY_FILE: path.join(dir, 'pitchbar.key'),
    PITCHBAR_LISTEN: `127.0.0.1:${port}`,
    PITCHBAR_PASSWORD_COST: 'interactive',
    PITCHBAR_ALLOW_PRIVATE_TARGETS: '1',
    PITCHBAR_WEBHOOK_TIMEOUT_MS: '1500',
    PITCHBAR_JOB_LEASE_MS: '2000',
  });
  for (const [k, v] of Object.entries(overrides || {})) {
    if (v === null || v === undefined) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

function readLog(logPath) {
  try {
    return fs.readFileSync(logPath, 'utf8');
  } catch {
    return '';
  }
}

function tail(text, n = 4000) {
  return text.length > n ? `...${text.slice(-n)}` : text;
}

function assertNoSanitizerReport(logPath) {
  const log = readLog(logPath);
  for (const mark of SANITIZER_MARKS) {
    assert.ok(!log.includes(mark), `server.log holds a sanitizer report ("${mark}"):\n${tail(log, 8000)}`);
  }
}

// Spawns `pitchbar serve` (or another command) and resolves once it
// printed that it serves (or, for `worker`, that it started); rejects
// (with the log) if it exits first.
function spawnServe(dir, env, logPath, args = ['serve']) {
  const logFd = fs.openSync(logPath, 'a');
  const child = spawn(BIN, args, { env, cwd: dir, stdio: ['ignore', 'pipe', logFd] });
  fs.closeSync(logFd);
  live.add(child);
  let stdout = '';
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  child.stdout.setEncoding('utf8');
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`pitchbar did not start within ${scaled(20000)} ms; stdout:\n${stdout}\nlog:\n${tail(readLog(logPath))}`));
    }, scaled(20000));
    const started = args[0] === 'serve' ? /^pitchbar: serving on \S+/m : /event=service\.started/;
    const check = () => {
      if (started.test(stdout) || (args[0] !== 'serve' && started.test(readLog(logPath)))) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      }
    };
    // A worker prints nothing on stdout: its log says when it started.
    const poll = setInterval(check, 50);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      check();
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(err);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`pitchbar exited before serving (code ${code}, signal ${signal}); stdout:\n${stdout}\nlog:\n${tail(readLog(logPath))}`));
    });
  });
  return { child, exited, ready, stdout: () => stdout };
}

async function waitHealthy(url) {
  await waitUntil(
    async () => {
      try {
        const r = await request('GET', `${url}/healthz`);
        return r.status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 15000, what: 'GET /healthz to answer 200' },
  );
}

function parseBanner(stdout) {
  const token = /^\s*API token\s+(\S+)\s*$/m.exec(stdout);
  const key = /^\s*Widget key\s+(\S+)\s*$/m.exec(stdout);
  assert.ok(token, `no "API token" line in the first-start banner:\n${stdout}`);
  assert.ok(key, `no "Widget key" line in the first-start banner:\n${stdout}`);
  // The Owner's sign-in, when the banner shows it (null otherwise).
  const email = /^\s*E-mail\s+(\S+)\s*$/m.exec(stdout);
  const password = /^\s*Password\s+(\S+)\s*$/m.exec(stdout);
  return {
    token: token[1],
    widgetKey: key[1],
    ownerEmail: email ? email[1] : null,
    ownerPassword: password ? password[1] : null,
  };
}

/*
 * startServer({env, label, join}) -> {url, port, token, widgetKey,
 * ownerEmail, ownerPassword, dir, database, log, stop(), kill(),
 * restart({env}), running(), logText()}.  ownerEmail and ownerPassword
 * are the first Owner's sign-in from the first-start banner (null when
 * not shown, or for a joined server unless join carries them).
 * join: another server whose database (and key file, token and widget
 * key) this one shares, as a second node.
 */
async function startServer({ env: overrides = {}, label, join } = {}) {
  assert.ok(fs.existsSync(BIN), `no binary at ${BIN}; build it or set PITCHBAR_BIN`);
  let dir;
  let logPath;
  let proc;
  let port;
  let database;
  if (join) {
    overrides = { PITCHBAR_SECRET_KEY_FILE: path.join(join.dir, 'pitchbar.key'), ...overrides };
  }
  // A port picked free may be taken before the child binds it: retry,
  // in a fresh directory (the first start's banner comes only once).
  for (let attempt = 1; ; attempt++) {
    dir = uniqueDir(label);
    logPath = path.join(dir, 'server.log');
    port = await freePort();
    database = join ? join.database : freshDatabase(dir);
    proc = spawnServe(dir, childEnv(dir, port, database, overrides), logPath);
    try {
      await proc.ready;
      break;
    } catch (err) {
      const bindFailure = /cannot listen|address (already )?in use/i.test(String(err.message));
      if (attempt >= 3 || !bindFailure) throw err;
    }
  }
  const { token, widgetKey, ownerEmail = null, ownerPassword = null } = join ? join : parseBanner(proc.stdout());
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url);
  let currentEnv = overrides;

  const server = {
    url,
    port,
    token,
    widgetKey,
    ownerEmail,
    ownerPassword,
    dir,
    database,
    log: logPath,
    logText: () => readLog(logPath),
    running: () => proc.child.exitCode === null && proc.child.signalCode === null,
    pid: () => proc.child.pid,

    // SIGTERM; the process must exit 0 with nothing from a sanitizer.
    async stop({ timeoutMs = 20000 } = {}) {
      if (server.running()) proc.child.kill('SIGTERM');
      let timer;
      const result = await Promise.race([
        proc.exited,
        new Promise((resolve) => {
          timer = setTimeout(() => resolve(null), scaled(timeoutMs));
        }),
      ]);
      clearTimeout(timer);
      if (result === null) {
        proc.child.kill('SIGKILL');
        await proc.exited;
        assert.fail(`pitchbar did not exit within ${scaled(timeoutMs)} ms of SIGTERM; log:\n${tail(readLog(logPath))}`);
      }
      assertNoSanitizerReport(logPath);
      assert.deepEqual(result, { code: 0, signal: null }, `pitchbar did not exit 0 on SIGTERM; log:\n${tail(readLog(logPath))}`);
      return result;
    },

    // SIGKILL: the crash case. Waits until the process is gone.
    async kill() {
      if (server.running()) proc.child.kill('SIGKILL');
      const result = await proc.exited;
      assertNoSanitizerReport(logPath);
      return result;
    },

    // The same binary again, same directory and port; the banner is only
    // printed on first start, so token and widget key stay as they were.
    async restart({ env: more } = {}) {
      assert.ok(!server.running(), 'restart() needs the server stopped or killed first');
      currentEnv = { ...currentEnv, ...(more || {}) };
      proc = spawnServe(dir, childEnv(dir, port, database, currentEnv), logPath);
      await proc.ready;
      await waitHealthy(url);
      return server;
    },

    // For t.after(): never leaves a process behind, asserts nothing.
    async cleanup() {
      if (server.running()) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
    },
  };
  return server;
}

/*
 * startWorker(server, {env}) -> {stop(), kill(), logText()}: a `pitchbar
 * worker` process on the server's database.
 */
async function startWorker(server, { env: overrides = {}, label = 'worker' } = {}) {
  const dir = uniqueDir(label);
  const logPath = path.join(dir, 'server.log');
  const env = childEnv(dir, 0, server.database, {
    PITCHBAR_SECRET_KEY_FILE: path.join(server.dir, 'pitchbar.key'),
    ...overrides,
  });
  const proc = spawnServe(dir, env, logPath, ['worker']);
  await proc.ready;
  const running = () => proc.child.exitCode === null && proc.child.signalCode === null;
  return {
    dir,
    logText: () => readLog(logPath),
    async stop() {
      if (running()) proc.child.kill('SIGTERM');
      const result = await proc.exited;
      assertNoSanitizerReport(logPath);
      assert.deepEqual(result, { code: 0, signal: null }, `worker did not exit 0; log:\n${tail(readLog(logPath))}`);
    },
    async kill() {
      if (running()) proc.child.kill('SIGKILL');
      await proc.exited;
    },
  };
}

module.exports = { startServer, startWorker, freePort, uniqueDir, freshDatabase, BIN, ROOT, PG_ADMIN };
