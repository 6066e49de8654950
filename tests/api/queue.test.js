'use strict';
// The durable queue under workflows: a worker killed in the middle of a
// step, a job outliving its lease on a node that renews it, a thousand
// events on two workers, and a hanging endpoint that must not hold up
// another workspace.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');
const { cli } = require('./lib/cli');
const { waitUntil, settle, scaled } = require('./lib/wait');
const { postAll } = require('./lib/http');

async function createWorkflow(client, urls) {
  const r = await client.post('/api/v1/workflows', {
    name: 'queue',
    trigger: 'lead.captured',
    steps: urls.map((url) => ({ type: 'webhook', url })),
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function runsOf(client, wf) {
  return client.listAll(`/api/v1/workflow-runs?workflow_id=${wf.id}`, { limit: 200 });
}

async function settledRuns(client, wf, n, timeoutMs = 20000) {
  let seen = [];
  return waitUntil(
    async () => {
      seen = await runsOf(client, wf);
      return seen.length >= n && seen.every((r) => r.status !== 'running') ? seen : false;
    },
    { timeoutMs: scaled(timeoutMs), intervalMs: 200, what: () => `${n} settled runs; ${seen.filter((r) => r.status === 'running').length} of ${seen.length} still running` },
  );
}

test('SIGKILL in the middle of a step: after the restart the step completes, then the next one; nothing lost', { timeout: 60000 }, async (t) => {
  const env = { PITCHBAR_JOB_LEASE_MS: '1500', PITCHBAR_RETRY_DELAYS: '0.2,0.4' };
  const srv = await startServer({ label: 'queue-kill', env });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const client = api(srv);
  const wf = await createWorkflow(client, [rcv.url('/first'), rcv.url('/second')]);
  rcv.next({ hang: true }); // the first attempt of step one never answers

  assert.equal((await client.lead({ email: 'killed@example.com' })).status, 201);
  await rcv.waitFor(1);
  await srv.kill(); // while step one's attempt is in flight
  await srv.restart({ env });

  const [run] = await settledRuns(client, wf, 1);
  assert.equal(run.status, 'succeeded');
  assert.deepEqual(run.steps.map((s) => s.status), ['succeeded', 'succeeded']);
  const first = rcv.requests.filter((r) => r.path === '/first');
  const second = rcv.requests.filter((r) => r.path === '/second');
  assert.equal(first.length, 2, 'step one was not sent again after the crash');
  assert.equal(new Set(first.map((r) => r.headers['webhook-id'])).size, 1);
  assert.ok(first[0].body.equals(first[1].body), 'the body changed after the crash');
  assert.equal(second.length, 1);
  // The attempt cut short was recorded once, when it was made again.
  assert.equal(run.steps[0].attempts.length, 1);
  assert.equal(run.steps[0].attempts[0].status_code, 200);
  await srv.stop();
});

test('a step running three times its lease on a node that renews it is never taken by another node', { timeout: 60000 }, async (t) => {
  const env = { PITCHBAR_JOB_LEASE_MS: '1000', PITCHBAR_WORKERS: '2', PITCHBAR_WEBHOOK_TIMEOUT_MS: '6000' };
  const a = await startServer({ label: 'queue-lease-a', env });
  t.after(() => a.cleanup());
  const b = await startServer({ label: 'queue-lease-b', join: a, env });
  t.after(() => b.cleanup());
  const rcv = await startReceiver({ respond: { status: 200, delayMs: 3000 } });
  t.after(() => rcv.close());
  const client = api(a);
  const wf = await createWorkflow(client, [rcv.url('/slow')]);

  assert.equal((await client.lead({ email: 'lease@example.com' })).status, 201);
  const [run] = await settledRuns(client, wf, 1);
  await settle(1500);
  assert.equal(rcv.requests.length, 1, 'a second node took the job over while it ran');
  assert.equal(run.status, 'succeeded');
  assert.equal(run.steps[0].attempts.length, 1);
  const lost = (a.logText() + b.logText()).match(/event=job\.lease_lost/g);
  assert.equal(lost, null, 'a lease was lost');
  await b.stop();
  await a.stop();
});

test('1,000 events on 2 workers: every step runs exactly once per attempt, none lost, none doubled', { timeout: scaled(240000) }, async (t) => {
  const N = 1000;
  const srv = await startServer({ label: 'queue-thousand', env: { PITCHBAR_WORKERS: '2', PITCHBAR_RETRY_DELAYS: '0.05,0.1' } });
  t.after(() => srv.cleanup());
  const seen = new Map();
  // Every fifth message fails its first attempt, so retries are in the mix.
  const rcv = await startReceiver({
    respond: (rec) => {
      const id = rec.headers['webhook-id'];
      const n = (seen.get(id) || 0) + 1;
      seen.set(id, n);
      return { status: n === 1 && rec.json.data.email.startsWith('retry') ? 503 : 200 };
    },
  });
  t.after(() => rcv.close());
  const client = api(srv);
  const wf = await createWorkflow(client, [rcv.url('/one'), rcv.url('/two')]);

  const bodies = Array.from({ length: N }, (_, i) => ({ email: `${i % 5 === 0 ? 'retry' : 'lead'}${i}@example.com` }));
  const answers = await postAll(bodies, 16, (b) => client.lead(b));
  assert.ok(answers.every((r) => r.status === 201), 'a lead was refused');

  const runs = await settledRuns(client, wf, N, 180000);
  assert.equal(runs.length, N);
  assert.ok(runs.every((r) => r.status === 'succeeded'), 'a run did not succeed');
  const retried = N / 5;
  const attempts = runs.reduce((n, r) => n + r.steps.reduce((m, s) => m + s.attempts.length, 0), 0);
  assert.equal(attempts, 2 * N + 2 * retried);
  assert.equal(rcv.requests.length, 2 * N + 2 * retried, 'requests at the receiver');
  // Each message: two requests when it was made to fail once, else one.
  const perMessage = [...seen.values()];
  assert.equal(perMessage.length, 2 * N);
  assert.equal(perMessage.filter((n) => n === 2).length, 2 * retried);
  assert.equal(perMessage.filter((n) => n === 1).length, 2 * N - 2 * retried);
  const deliveryIds = new Set(rcv.requests.map((r) => r.headers['x-pitchbar-webhook-id']));
  assert.equal(deliveryIds.size, rcv.requests.length, 'an attempt was sent twice');
  await srv.stop();
});

test('an endpoint hanging until the time-out does not hold up another workspace beyond one time-out', { timeout: 60000 }, async (t) => {
  const TIMEOUT_MS = 3000;
  const srv = await startServer({ label: 'queue-fair', env: { PITCHBAR_WORKERS: '2', PITCHBAR_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) } });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver({ respond: (rec) => (rec.path === '/hang' ? { hang: true } : { status: 200 }) });
  t.after(() => rcv.close());
  const slow = api(srv);
  await slow.createEndpoint(rcv.url('/hang'));

  // A second workspace with a healthy endpoint.
  const other = await cli(srv).init({ workspace: 'Other', email: 'other@example.com' });
  const otherToken = await cli(srv).tokenCreate({ email: 'other@example.com', workspace: 'Other' });
  const fast = api({ ...srv, token: otherToken, widgetKey: other.widget_key });
  await fast.createEndpoint(rcv.url('/fast'));

  for (let i = 0; i < 6; i++) assert.equal((await slow.lead({ email: `hang${i}@example.com` })).status, 201);
  await waitUntil(() => rcv.requests.some((r) => r.path === '/hang'), { what: 'the hanging endpoint to be called' });
  const sent = Date.now();
  assert.equal((await fast.lead({ email: 'fast@example.com' })).status, 201);
  await waitUntil(() => rcv.requests.some((r) => r.path === '/fast'), { timeoutMs: scaled(15000), what: 'the other workspace\'s delivery' });
  const waited = rcv.requests.find((r) => r.path === '/fast').at - sent;
  assert.ok(waited < TIMEOUT_MS, `the other workspace waited ${waited} ms behind a hanging endpoint`);
  // The hanging endpoint holds one worker of two at a time.
  assert.ok(rcv.requests.filter((r) => r.path === '/hang').length <= 2);
  await srv.stop();
});
