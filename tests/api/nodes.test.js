'use strict';
// Several nodes on one PostgreSQL database (DESIGN section 2, issue 3):
// two `serve --workers 0` nodes and three `pitchbar worker` processes
// share the work, and a PostgreSQL restart in the middle of a run loses
// nothing. These run only when the suite runs on PostgreSQL
// (PITCHBAR_TEST_PG, set by tools/with-pg.sh), and alone: a restart of the
// server would break other tests' connections.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const { startServer, startWorker, PG_ADMIN } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');
const { withEndpoint } = require('./lib/setup');
const { waitUntil, settle, scaled } = require('./lib/wait');
const { postAll } = require('./lib/http');

const skip = PG_ADMIN ? false : 'runs on PostgreSQL only (tools/with-pg.sh)';

function sql(database, query) {
  return execFileSync('psql', ['-Atq', '-v', 'ON_ERROR_STOP=1', database, '-c', query], { encoding: 'utf8' }).trim();
}

function attemptsIn(log) {
  return (log.match(/event=webhook\.attempt /g) || []).length;
}

test('2 serve nodes and 3 workers on one PostgreSQL: 500 leads, 500 events, one delivery per event, work shared', { skip, timeout: scaled(180000) }, async (t) => {
  const a = await startServer({ label: 'node-a', env: { PITCHBAR_WORKERS: 0 } });
  t.after(() => a.cleanup());
  const b = await startServer({ label: 'node-b', join: a, env: { PITCHBAR_WORKERS: 0 } });
  t.after(() => b.cleanup());
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const endpoint = await api(a).createEndpoint(rcv.url('/hook'));
  rcv.secret = endpoint.secret;
  const workers = [];
  for (let i = 0; i < 3; i++) {
    const w = await startWorker(a, { label: `worker-${i}` });
    workers.push(w);
    t.after(() => w.kill());
  }

  const N = 500;
  const nodes = [api(a), api(b)];
  const bodies = Array.from({ length: N }, (_, i) => ({ email: `node-${i}@example.com`, name: `Lead ${i}` }));
  const answers = await postAll(bodies, 16, (body, i) => nodes[i % 2].lead(body));
  assert.deepEqual(answers.map((r) => r.status), Array(N).fill(201));

  await rcv.waitFor(N, scaled(90000));
  await settle(1500); // a duplicate would show up here
  const ids = rcv.requests.map((r) => r.headers['webhook-id']);
  assert.equal(ids.length, N, `the receiver got ${ids.length} requests for ${N} leads`);
  assert.equal(new Set(ids).size, N, 'a message arrived twice');
  for (const rec of rcv.requests) rcv.assertVerified(rec);

  assert.equal(await nodes[1].leadCount(), N);
  assert.equal(sql(a.database, 'SELECT COUNT(*) FROM events'), String(N));
  assert.equal(sql(a.database, 'SELECT COUNT(*) FROM deliveries'), String(N));
  assert.equal(sql(a.database, 'SELECT COUNT(DISTINCT (event_id, endpoint_id)) FROM deliveries'), String(N));
  assert.equal(sql(a.database, "SELECT COUNT(*) FROM deliveries WHERE status <> 'succeeded'"), '0');

  // Neither serve node sent anything; the workers shared the sending.
  assert.equal(attemptsIn(a.logText()) + attemptsIn(b.logText()), 0);
  const shares = workers.map((w) => attemptsIn(w.logText()));
  assert.equal(shares.reduce((x, y) => x + y, 0), N, `attempts per worker: ${shares}`);
  assert.ok(shares.filter((n) => n > 0).length >= 2, `only one worker took part: ${shares}`);

  for (const w of workers) await w.stop();
  await b.stop();
  await a.stop();
});

// Restarts the suite's PostgreSQL server; leads keep coming meanwhile.
// The new server inherits no pipe of ours (it would hold it open), so the
// wait is for pg_ctl's exit.
function restartPostgres() {
  const ctl = process.env.PITCHBAR_TEST_PG_CTL;
  let argv = [ctl, '-D', process.env.PITCHBAR_TEST_PG_DATA, '-m', 'fast', '-w', 'restart'];
  if (process.getuid && process.getuid() === 0) argv = ['runuser', '-u', 'postgres', '--', ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl restart exited ${code}`))));
  });
}

test('PostgreSQL restarted during a run of 200 leads: every 201 is stored and delivered, no job stuck', { skip, timeout: scaled(180000) }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'pg-restart' });

  const N = 200;
  const bodies = Array.from({ length: N }, (_, i) => ({ email: `restart-${i}@example.com` }));
  let restart = null;
  const answers = await postAll(bodies, 4, async (body, i) => {
    if (i === N / 2 && !restart) restart = restartPostgres();
    return client.lead(body);
  });
  assert.ok(restart);
  await restart;
  const accepted = bodies.filter((_, i) => answers[i].status === 201).map((b) => b.email);
  const refused = answers.filter((r) => r.status !== 201);
  for (const r of refused) assert.ok([0, 503].includes(r.status), `unexpected answer ${r.status} ${r.text}`);
  assert.ok(accepted.length >= N / 4, `only ${accepted.length} leads got 201`);

  // Every accepted lead is stored...
  const stored = new Set((await client.listAll('/api/v1/leads', { limit: 200 })).map((l) => l.email));
  for (const email of accepted) assert.ok(stored.has(email), `${email} got 201 but is not stored`);

  // ...and delivered, and the queue drains.
  await waitUntil(
    () => {
      const got = new Set(rcv.requests.map((r) => r.json && r.json.data.email));
      return accepted.every((e) => got.has(e));
    },
    { timeoutMs: scaled(60000), what: 'every accepted lead at the receiver' },
  );
  await waitUntil(() => sql(srv.database, "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')") === '0', {
    timeoutMs: scaled(60000),
    what: 'the job queue to drain',
  });
  assert.equal(sql(srv.database, "SELECT COUNT(*) FROM deliveries WHERE status = 'pending'"), '0');
  await srv.stop();
});

test('several nodes migrating one fresh database at once: every migration applied exactly once', { skip, timeout: scaled(60000) }, async () => {
  const { freshDatabase } = require('./lib/server');
  const { uniqueDir, BIN } = require('./lib/server');
  const dir = uniqueDir('migrate-race');
  const database = freshDatabase(dir);
  const env = { ...process.env, PITCHBAR_DATABASE_URL: database, PITCHBAR_SECRET_KEY_FILE: `${dir}/pitchbar.key` };
  const runs = Array.from({ length: 6 }, () => new Promise((resolve) => {
    const child = spawn(BIN, ['migrate'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => { err += c; });
    child.on('exit', (code) => resolve({ code, err }));
  }));
  for (const r of await Promise.all(runs)) assert.equal(r.code, 0, r.err);
  const versions = sql(database, 'SELECT version FROM schema_migrations ORDER BY version').split('\n');
  assert.deepEqual(versions, [...new Set(versions)], 'a migration was recorded twice');
  assert.equal(sql(database, 'SELECT COUNT(*) FROM leads'), '0');
});

// Workers poll every 2 s; a job enqueued by another process must not wait
// for that. Five leads a second apart, each sent within half a second:
// were the notification missing, all five would land so by chance once in
// a thousand runs.
test('a job enqueued on a serve node wakes a worker process at once (LISTEN/NOTIFY)', { skip, timeout: scaled(60000) }, async (t) => {
  const { srv, rcv } = await withEndpoint(t, { label: 'node-notify', env: { PITCHBAR_WORKERS: 0 } });
  const worker = await startWorker(srv, { label: 'notify-worker' });
  t.after(() => worker.kill());
  const client = api(srv);
  await settle(2500); // past the worker's first look at the queue
  for (let i = 0; i < 5; i++) {
    const sent = Date.now();
    assert.equal((await client.lead({ email: `notify-${i}@example.com` })).status, 201);
    const [rec] = (await rcv.waitFor(i + 1)).slice(i);
    assert.ok(rec.at - sent < 500, `lead ${i} reached the receiver after ${rec.at - sent} ms`);
    await settle(1000);
  }
  await worker.stop();
  await srv.stop();
});
