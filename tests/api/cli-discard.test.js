'use strict';
// pitchbar jobs discard ends what the job was to do: a workflow step
// waiting for its next attempt fails (the run log says "discarded"), the
// steps after it are skipped and the run fails, so that a redelivery by
// hand can take it up again; a lead's delivery fails the same way.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');
const { run, serverEnv } = require('./lib/cli');
const { waitUntil } = require('./lib/wait');

// `pitchbar jobs ...args` on srv's database -> {code, out, err, jobs}.
async function jobs(srv, ...args) {
  const r = await run(['jobs', ...args], serverEnv(srv));
  const lines = r.out.split('\n').filter((l) => l !== '');
  return { ...r, jobs: r.code === 0 ? lines.map((l) => JSON.parse(l)) : [] };
}

async function onlyJob(srv, type) {
  const r = await jobs(srv, 'list', '--state', 'queued', '--type', type);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.jobs.length, 1, r.out);
  return r.jobs[0];
}

async function discard(srv, job) {
  const r = await jobs(srv, 'discard', job.id);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.jobs, [job], 'it prints the job as it was');
  return r;
}

test('a workflow step waiting to retry, its job discarded: step and run fail, later steps skipped; a redelivery resumes the run', { timeout: 60000 }, async (t) => {
  // Long retry delays: the step's job waits in the queue, not running.
  const srv = await startServer({ label: 'cli-discard-step', env: { PITCHBAR_RETRY_DELAYS: '30,30' } });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver({ respond: { status: 500 } });
  t.after(() => rcv.close());
  const client = api(srv);
  const made = await client.post('/api/v1/workflows', {
    name: 'CRM',
    trigger: 'lead.captured',
    steps: [{ type: 'webhook', url: rcv.url('/crm') }, { type: 'webhook', url: rcv.url('/next') }],
  });
  assert.equal(made.status, 201, made.text);
  const wf = made.json;
  assert.equal((await client.lead({ email: 'discard@example.com' })).status, 201);

  const waiting = await waitUntil(async () => {
    const r = (await client.get(`/api/v1/workflow-runs?workflow_id=${wf.id}`)).json.data[0];
    return r && r.steps[0].attempts.length === 1 && r.steps[0].attempts[0].status === 'failed' ? r : false;
  }, { what: 'the first attempt to fail' });
  assert.equal(waiting.steps[0].status, 'running');
  const job = await onlyJob(srv, 'run_webhook_step');
  assert.equal(job.ref_id, waiting.steps[0].id);
  const first = waiting.steps[0].attempts[0];
  const refused = await client.post(`/api/v1/deliveries/${first.delivery_id}/redeliver`);
  assert.equal(refused.status, 409, 'a step still retrying is not redelivered');

  await discard(srv, job);
  const ended = await client.run(waiting.id);
  assert.equal(ended.status, 'failed');
  assert.deepEqual(ended.steps.map((s) => s.status), ['failed', 'skipped']);
  const attempts = ended.steps[0].attempts;
  assert.deepEqual(attempts.map((a) => [a.status, a.status_code, a.error]), [['failed', 500, 'http_5xx'], ['failed', null, 'discarded']]);
  assert.equal(attempts[1].at, null, 'the discarded attempt was never made');
  assert.equal(rcv.requests.length, 1);
  assert.deepEqual((await jobs(srv, 'list')).jobs, []);

  // The run can be taken up again by hand: the step, then the next one.
  rcv.respond({ status: 200 });
  const r = await client.post(`/api/v1/deliveries/${first.delivery_id}/redeliver`);
  assert.equal(r.status, 202, r.text);
  const after = await waitUntil(async () => {
    const run = await client.run(waiting.id);
    return run.status !== 'running' ? run : false;
  }, { what: 'the resumed run to end' });
  assert.equal(after.status, 'succeeded');
  assert.deepEqual(after.steps.map((s) => s.status), ['succeeded', 'succeeded']);
  assert.deepEqual(rcv.requests.map((q) => q.path), ['/crm', '/crm', '/next']);
  await srv.stop();
});

test('a lead delivery, its job discarded: the delivery fails as discarded, and so do its step and run', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'cli-discard-delivery', env: { PITCHBAR_WORKERS: 0 } });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const client = api(srv);
  const endpoint = await client.createEndpoint(rcv.url('/hook'));
  const lead = await client.lead({ email: 'dispatch@example.com' });
  assert.equal(lead.status, 201, lead.text);
  const job = await onlyJob(srv, 'deliver_webhook');

  await discard(srv, job);
  const delivery = (await client.get(`/api/v1/deliveries/${job.ref_id}`)).json;
  assert.equal(delivery.status, 'failed');
  assert.equal(delivery.error, 'discarded');
  assert.equal(delivery.attempted_at, null);
  const runs = (await client.get('/api/v1/workflow-runs')).json.data;
  assert.equal(runs.length, 1);
  assert.equal(runs[0].status, 'failed');
  assert.deepEqual(runs[0].steps.map((s) => [s.endpoint_id, s.status]), [[endpoint.id, 'failed']]);

  // Redelivering every failed delivery takes it up too.
  const since = new Date(Date.now() - 60000).toISOString();
  const again = await client.post(`/api/v1/webhooks/${endpoint.id}/redeliver-failed`, { since });
  assert.equal(again.status, 202, again.text);
  assert.equal(again.json.delivery_ids.length, 1);
  await srv.stop();
});
