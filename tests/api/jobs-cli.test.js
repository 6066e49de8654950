'use strict';
// pitchbar jobs list | retry | discard on a running server's database:
// the queue as an operator sees it, a failed job put back (and then run),
// a job discarded, and everything refused that must be.
//
// Jobs come from real leads to real endpoints, on a server with no
// workers so that they stay queued. No request makes a job fail for
// good (a webhook's failures are recorded on its delivery, and the job
// ends), so a failed job is a real queued one marked failed with SQL, as
// a worker does after its last attempt (lib/sql.js).

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver, closedUrl } = require('./lib/receiver');
const { api } = require('./lib/api');
const { run, serverEnv } = require('./lib/cli');
const { failJob } = require('./lib/sql');

const FIELDS = ['id', 'type', 'ref_id', 'workspace_id', 'state', 'attempts', 'max_attempts', 'run_at', 'lease_until', 'last_error', 'created_at', 'updated_at'];
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// `pitchbar jobs ...args` on srv's database -> {code, out, err, jobs}:
// jobs, the JSON lines of its standard output.
async function jobs(srv, ...args) {
  const r = await run(['jobs', ...args], serverEnv(srv));
  const lines = r.out.split('\n').filter((l) => l !== '');
  return { ...r, jobs: r.code === 0 ? lines.map((l) => JSON.parse(l)) : [] };
}

async function listed(srv, ...args) {
  const r = await jobs(srv, 'list', ...args);
  assert.equal(r.code, 0, `jobs list ${args.join(' ')}: ${r.err}`);
  return r.jobs;
}

// The one line a refusal prints on standard error.
function refusal(r) {
  const lines = r.err.split('\n').filter((l) => l.startsWith('pitchbar: '));
  assert.equal(lines.length, 1, r.err);
  return lines[0];
}

// A server whose jobs stay queued, and n leads to an endpoint: n jobs.
async function queuedJobs(t, label, n, url) {
  const srv = await startServer({ label, env: { PITCHBAR_WORKERS: 0 } });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const endpoint = await client.createEndpoint(url || (await closedUrl()));
  for (let i = 0; i < n; i++) {
    assert.equal((await client.lead({ email: `lead${i}@example.com` })).status, 201);
  }
  return { srv, client, endpoint };
}

test('jobs --help, and each action with --help, explain themselves; usage errors exit 2', async () => {
  const top = await run(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.out, /^ {2}jobs\s+jobs list, retry, discard/m);
  // The group's help starts with list; an action's, with its own usage.
  for (const [args, action] of [[['jobs', '--help'], 'list'], [['jobs', '-h'], 'list'], [['jobs', 'list', '--help'], 'list'], [['jobs', 'retry', '--help'], 'retry'], [['jobs', 'discard', 'job_x', '--help'], 'discard']]) {
    const r = await run(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    assert.match(r.out, new RegExp(`^usage: pitchbar jobs ${action} `), args.join(' '));
    assert.equal(r.err, '');
  }
  // None of these gets as far as the database (none is configured).
  for (const [args, why] of [
    [['jobs'], null],
    [['jobs', 'frob'], null],
    [['jobs', 'list', '--state', 'done'], /--state expects queued, running or failed/],
    [['jobs', 'list', '--state'], /--state expects a value/],
    [['jobs', 'list', '--limit', '0'], /--limit expects a whole number from 1 to 1000/],
    [['jobs', 'list', '--limit', '1001'], /--limit expects/],
    [['jobs', 'list', '--limit', '10x'], /--limit expects/],
    [['jobs', 'list', '--type', ''], /--type expects a job type/],
    [['jobs', 'list', '--frob'], /--frob is no option/],
    [['jobs', 'list', 'job_x'], /list takes no job id/],
    [['jobs', 'retry'], /retry expects one job id/],
    [['jobs', 'retry', 'job_a', 'job_b'], /retry expects one job id/],
    [['jobs', 'discard', '--state', 'queued', 'job_x'], /discard takes no option/],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`usage: pitchbar jobs ${['retry', 'discard'].includes(args[1]) ? args[1] : 'list'} `));
    if (why) assert.match(r.err.split('\n')[0], new RegExp(`^pitchbar: jobs: ${why.source}`), args.join(' '));
  }
});

test('jobs list: every job as a JSON line, newest first; --state, --type and --limit select', { timeout: 60000 }, async (t) => {
  const { srv, client, endpoint } = await queuedJobs(t, 'jobs-list', 3);
  const deliveries = await client.deliveries(endpoint.id);
  assert.equal(deliveries.length, 3);

  const all = await listed(srv);
  assert.equal(all.length, 3);
  for (const job of all) {
    assert.deepEqual(Object.keys(job), FIELDS);
    assert.match(job.id, /^job_/);
    assert.equal(job.type, 'deliver_webhook');
    assert.equal(job.state, 'queued');
    assert.equal(job.attempts, 0);
    assert.equal(job.max_attempts, 5);
    assert.match(job.workspace_id, /^ws_/);
    for (const k of ['run_at', 'created_at', 'updated_at']) assert.match(job[k], TIME, k);
    assert.equal(job.lease_until, null);
    assert.equal(job.last_error, null);
  }
  // Each job works on one of the endpoint's deliveries; newest first.
  assert.deepEqual(all.map((j) => j.ref_id).sort(), deliveries.map((d) => d.id).sort());
  assert.deepEqual(all.map((j) => j.id), all.map((j) => j.id).sort().reverse());
  assert.ok(all[0].created_at >= all[2].created_at);

  failJob(srv.database, all[1].id, 'it went wrong');
  const failed = await listed(srv, '--state', 'failed');
  assert.deepEqual(failed.map((j) => j.id), [all[1].id]);
  assert.equal(failed[0].attempts, 5);
  assert.equal(failed[0].last_error, 'it went wrong');
  assert.deepEqual((await listed(srv, '--state', 'queued')).map((j) => j.id), [all[0].id, all[2].id]);
  assert.deepEqual(await listed(srv, '--state', 'running'), []);
  assert.equal((await listed(srv, '--type', 'deliver_webhook')).length, 3);
  assert.deepEqual(await listed(srv, '--type', 'no_such_type'), []);
  assert.deepEqual(await listed(srv, '--state', 'failed', '--type', 'no_such_type'), []);
  assert.deepEqual((await listed(srv, '--limit', '1')).map((j) => j.id), [all[0].id]);
  assert.deepEqual((await listed(srv, '--limit=2', '--state=queued')).map((j) => j.id), [all[0].id, all[2].id]);

  // An empty list prints nothing at all.
  const none = await jobs(srv, 'list', '--state', 'running');
  assert.equal(none.out, '');
  await srv.stop();
});

test('jobs retry: a failed job goes back to the queue and is delivered once workers run; other jobs and unknown ids are refused', { timeout: 60000 }, async (t) => {
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const { srv, client, endpoint } = await queuedJobs(t, 'jobs-retry', 1, rcv.url('/hook'));
  rcv.secret = endpoint.secret;
  const [job] = await listed(srv);

  // Queued: nothing to retry, and nothing changes.
  const queued = await jobs(srv, 'retry', job.id);
  assert.equal(queued.code, 1);
  assert.equal(queued.out, '');
  assert.equal(refusal(queued), `pitchbar: jobs retry: ${job.id} is queued; only a failed job can be retried`);
  assert.doesNotMatch(queued.err, /event=jobs\.retried/);
  assert.deepEqual(await listed(srv), [job]);

  failJob(srv.database, job.id);
  const before = Date.now();
  const r = await jobs(srv, 'retry', job.id);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.jobs.length, 1);
  const retried = r.jobs[0];
  assert.equal(retried.id, job.id);
  assert.equal(retried.state, 'queued');
  assert.equal(retried.attempts, 0);
  assert.equal(retried.lease_until, null);
  assert.equal(retried.last_error, 'attempts exhausted (set by the test)', 'why it failed stays until it runs');
  assert.ok(Date.parse(retried.run_at) >= before - 5 && Date.parse(retried.run_at) <= Date.now(), `run_at ${retried.run_at} is not now`);
  assert.equal(retried.created_at, job.created_at);
  // One log line, the job id first.
  const logged = r.err.split('\n').filter((l) => /event=jobs\.retried/.test(l));
  assert.equal(logged.length, 1, r.err);
  assert.match(logged[0], new RegExp(`^${job.id} t=\\S+ level=info event=jobs\\.retried type=deliver_webhook ref=${job.ref_id} `));
  assert.deepEqual(await listed(srv, '--state', 'failed'), []);

  // Once workers run, the job runs: the delivery goes out, signed.
  assert.equal(rcv.requests.length, 0);
  await srv.stop();
  await srv.restart({ env: { PITCHBAR_WORKERS: 1 } });
  const [delivery] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(delivery.status, 'succeeded');
  assert.equal(delivery.id, job.ref_id);
  assert.equal(rcv.requests.length, 1);
  rcv.assertVerified(rcv.requests[0]);
  assert.deepEqual(await listed(srv), [], 'a job done leaves the queue');

  const gone = await jobs(srv, 'retry', job.id);
  assert.equal(gone.code, 1);
  assert.equal(refusal(gone), `pitchbar: jobs retry: no job has the id ${job.id}`);
  const malformed = await jobs(srv, 'retry', 'not-a-job');
  assert.equal(malformed.code, 1);
  assert.equal(refusal(malformed), 'pitchbar: jobs retry: no job has that id');
  await srv.stop();
});

test('jobs discard: a queued or failed job is deleted and printed; a running one is refused; unknown ids too', { timeout: 60000 }, async (t) => {
  // One worker, held by an endpoint that never answers: the first job
  // runs (and keeps its lease), the next ones wait in the queue.
  const srv = await startServer({
    label: 'jobs-discard',
    env: { PITCHBAR_WORKERS: 1, PITCHBAR_WEBHOOK_TIMEOUT_MS: 30000, PITCHBAR_SHUTDOWN_TIMEOUT_MS: 1000 },
  });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver({ respond: { hang: true } });
  t.after(() => rcv.close());
  const client = api(srv);
  const endpoint = await client.createEndpoint(rcv.url('/hook'));
  rcv.secret = endpoint.secret;
  assert.equal((await client.lead({ email: 'first@example.com' })).status, 201);
  await rcv.waitFor(1);
  assert.equal((await client.lead({ email: 'second@example.com' })).status, 201);
  assert.equal((await client.lead({ email: 'third@example.com' })).status, 201);

  const [running] = await listed(srv, '--state', 'running');
  assert.ok(running, 'no running job');
  assert.match(running.lease_until, TIME);
  const busy = await jobs(srv, 'discard', running.id);
  assert.equal(busy.code, 1);
  assert.equal(busy.out, '');
  assert.equal(refusal(busy), `pitchbar: jobs discard: ${running.id} is running; only a queued or failed job can be discarded`);
  assert.doesNotMatch(busy.err, /event=jobs\.discarded/);

  const [third, second] = await listed(srv, '--state', 'queued');
  const r = await jobs(srv, 'discard', second.id);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.jobs, [second], 'it prints the job as it was');
  const logged = r.err.split('\n').filter((l) => /event=jobs\.discarded/.test(l));
  assert.equal(logged.length, 1, r.err);
  assert.match(logged[0], new RegExp(`^${second.id} t=\\S+ level=info event=jobs\\.discarded type=deliver_webhook ref=${second.ref_id} state=queued attempts=0 `));

  failJob(srv.database, third.id);
  const f = await jobs(srv, 'discard', third.id);
  assert.equal(f.code, 0, f.err);
  assert.equal(f.jobs[0].state, 'failed');
  assert.deepEqual((await listed(srv)).map((j) => j.id), [running.id]);

  for (const id of [second.id, 'job_01ARZ3NDEKTSV4RRFFQ69G5FAV']) {
    const unknown = await jobs(srv, 'discard', id);
    assert.equal(unknown.code, 1);
    assert.equal(refusal(unknown), `pitchbar: jobs discard: no job has the id ${id}`);
  }
  // The job in hand is still the worker's.
  assert.equal((await listed(srv, '--state', 'running'))[0].id, running.id);
  await srv.stop();
});
