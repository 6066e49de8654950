'use strict';
// Workflows: their API, and webhook steps retried by the rules of DESIGN
// section 4, step after step, each attempt in the run log.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');
const { waitUntil, settle } = require('./lib/wait');

// Short retry delays, so that three attempts take well under a second.
const FAST = { PITCHBAR_RETRY_DELAYS: '0.2,0.4' };

async function setup(t, { label, env = FAST } = {}) {
  const srv = await startServer({ label, env });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  return { srv, rcv, client: api(srv) };
}

async function createWorkflow(client, steps, extra = {}) {
  const r = await client.post('/api/v1/workflows', { name: 'Leads to CRM', trigger: 'lead.captured', steps, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// The run of workflow wf, once it is no longer running.
async function settledRun(client, wf, { timeoutMs = 15000 } = {}) {
  let seen = null;
  return waitUntil(
    async () => {
      const r = await client.get(`/api/v1/workflow-runs?workflow_id=${wf.id}`);
      assert.equal(r.status, 200, r.text);
      seen = r.json.data;
      return seen.length === 1 && seen[0].status !== 'running' ? seen[0] : false;
    },
    { timeoutMs, intervalMs: 100, what: () => `the run of ${wf.id} to settle: ${JSON.stringify(seen)}` },
  );
}

test('workflow API: create, read, update keeping a step and its secret, delete; bad input changes nothing', { timeout: 60000 }, async (t) => {
  const { rcv, client } = await setup(t, { label: 'workflows-api' });

  const wf = await createWorkflow(client, [{ type: 'webhook', url: rcv.url('/a') }, { type: 'webhook', url: rcv.url('/b') }]);
  assert.match(wf.id, /^wf_/);
  assert.deepEqual(Object.keys(wf).sort(), ['created_at', 'enabled', 'id', 'name', 'steps', 'trigger', 'updated_at']);
  assert.equal(wf.trigger, 'lead.captured');
  assert.equal(wf.enabled, true);
  assert.equal(wf.steps.length, 2);
  for (const s of wf.steps) {
    assert.match(s.id, /^wfs_/);
    assert.equal(s.type, 'webhook');
    assert.match(s.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  }
  assert.notEqual(wf.steps[0].secret, wf.steps[1].secret);
  assert.deepEqual((await client.get(`/api/v1/workflows/${wf.id}`)).json, wf);
  assert.deepEqual((await client.get('/api/v1/workflows')).json.data.map((w) => w.id), [wf.id]);

  // Keep the second step (and its secret), drop the first, add one.
  const upd = await client.patch(`/api/v1/workflows/${wf.id}`, {
    name: 'Renamed',
    steps: [{ id: wf.steps[1].id, type: 'webhook', url: rcv.url('/b2') }, { type: 'webhook', url: rcv.url('/c') }],
  });
  assert.equal(upd.status, 200, upd.text);
  assert.equal(upd.json.name, 'Renamed');
  assert.equal(upd.json.steps[0].id, wf.steps[1].id);
  assert.equal(upd.json.steps[0].secret, wf.steps[1].secret);
  assert.equal(upd.json.steps[0].url, rcv.url('/b2'));
  assert.notEqual(upd.json.steps[1].secret, wf.steps[0].secret);

  const bad = [
    [{ name: 'x', trigger: 'lead.captured', steps: [{ type: 'slack', channel_id: 'C1' }] }, 'steps[0]', /not available yet/],
    [{ name: 'x', trigger: 'lead.captured', steps: [{ type: 'fax' }] }, 'steps[0]', /not a known type/],
    [{ name: 'x', trigger: 'lead.captured', steps: [{ type: 'webhook' }] }, 'steps[0]', /needs a "url"/],
    [{ name: 'x', trigger: 'lead.captured', steps: [{ type: 'webhook', url: 'ftp://x.example' }] }, 'steps[0]', /./],
    [{ name: 'x', trigger: 'lead.captured', steps: [] }, 'steps', /1 to 10/],
    [{ name: 'x', trigger: 'lead.captured', steps: Array(11).fill({ type: 'webhook', url: rcv.url() }) }, 'steps', /1 to 10/],
    [{ name: 'x', trigger: 'lead.updated', steps: [{ type: 'webhook', url: rcv.url() }] }, 'trigger', /not available yet/],
    [{ name: '', trigger: 'lead.captured', steps: [{ type: 'webhook', url: rcv.url() }] }, 'name', /1 to 100/],
    [{ name: ' \t ', trigger: 'lead.captured', steps: [{ type: 'webhook', url: rcv.url() }] }, 'name', /blank/],
    [{ trigger: 'lead.captured', steps: [{ type: 'webhook', url: rcv.url() }] }, 'name', /required/],
    [{ name: 'x', trigger: 'lead.captured', steps: [{ type: 'webhook', url: rcv.url() }], color: 'red' }, 'color', /not a field/],
  ];
  for (const [body, field, message] of bad) {
    const r = await client.post('/api/v1/workflows', body);
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
    assert.match(r.json.error.fields[field] || '', message, r.text);
  }
  // A step id of another workflow, or a kept step changing type.
  const other = await createWorkflow(client, [{ type: 'webhook', url: rcv.url('/o') }]);
  let r = await client.patch(`/api/v1/workflows/${wf.id}`, { steps: [{ id: other.steps[0].id, type: 'webhook', url: rcv.url() }] });
  assert.equal(r.status, 422, r.text);
  assert.match(r.json.error.fields.steps, /not one of this workflow's/);
  assert.deepEqual((await client.get(`/api/v1/workflows/${wf.id}`)).json, upd.json, 'a refused update changed the workflow');
  assert.equal((await client.get('/api/v1/workflows')).json.data.length, 2, 'a refused create made a workflow');

  r = await client.del(`/api/v1/workflows/${other.id}`);
  assert.equal(r.status, 204);
  assert.equal((await client.get(`/api/v1/workflows/${other.id}`)).status, 404);
  assert.equal((await client.del(`/api/v1/workflows/${other.id}`)).status, 404);

  const audit = (await client.get('/api/v1/audit-log')).json.data.map((e) => e.action);
  for (const action of ['workflow.created', 'workflow.updated', 'workflow.deleted']) assert.ok(audit.includes(action), `${action} not in the audit log: ${audit}`);
});

test('a webhook step answered 500, 500, 200: three attempts, the same webhook-id and body, run succeeded', { timeout: 60000 }, async (t) => {
  const { rcv, client } = await setup(t, { label: 'workflows-retry' });
  const wf = await createWorkflow(client, [{ type: 'webhook', url: rcv.url('/crm') }]);
  rcv.secret = wf.steps[0].secret;
  rcv.next({ status: 500 }, { status: 503 }, { status: 200 });

  assert.equal((await client.lead({ email: 'retry@example.com' })).status, 201);
  const run = await settledRun(client, wf);
  assert.equal(run.status, 'succeeded');
  assert.equal(run.workflow_id, wf.id);
  const [step] = run.steps;
  assert.equal(step.status, 'succeeded');
  assert.deepEqual(step.attempts.map((a) => a.status_code), [500, 503, 200]);
  assert.deepEqual(step.attempts.map((a) => a.error), ['http_5xx', 'http_5xx', null]);

  assert.equal(rcv.requests.length, 3);
  for (const rec of rcv.requests) rcv.assertVerified(rec);
  assert.equal(new Set(rcv.requests.map((r) => r.headers['webhook-id'])).size, 1, 'webhook-id changed between attempts');
  assert.equal(new Set(rcv.requests.map((r) => r.body.toString('hex'))).size, 1, 'the body changed between attempts');
  assert.equal(new Set(rcv.requests.map((r) => r.headers['x-pitchbar-webhook-id'])).size, 3, 'attempts share a delivery id');
  assert.equal(rcv.requests[0].json.event, 'lead.captured');
  assert.equal(rcv.requests[0].json.data.email, 'retry@example.com');
  // Growing delays: 0.2 s then 0.4 s, each give or take a fifth.
  const [a, b, c] = rcv.requests.map((r) => r.at);
  assert.ok(b - a >= 150, `second attempt after ${b - a} ms`);
  assert.ok(c - b >= 300, `third attempt after ${c - b} ms`);
});

test('500 three times: failed after exactly three attempts; a 404 fails at once; later steps are skipped', { timeout: 60000 }, async (t) => {
  const { rcv, client } = await setup(t, { label: 'workflows-fail' });
  rcv.respond((rec) => ({ status: rec.path === '/down' ? 500 : rec.path === '/gone' ? 404 : 200 }));
  const down = await createWorkflow(client, [{ type: 'webhook', url: rcv.url('/down') }, { type: 'webhook', url: rcv.url('/after') }], { name: 'down' });
  const gone = await createWorkflow(client, [{ type: 'webhook', url: rcv.url('/gone') }], { name: 'gone' });

  assert.equal((await client.lead({ email: 'fail@example.com' })).status, 201);
  const downRun = await settledRun(client, down);
  const goneRun = await settledRun(client, gone);
  await settle(1500); // long enough for a fourth attempt, were one coming

  assert.equal(downRun.status, 'failed');
  assert.deepEqual(downRun.steps.map((s) => s.status), ['failed', 'skipped']);
  assert.equal(downRun.steps[0].attempts.length, 3);
  assert.deepEqual(downRun.steps[1].attempts, []);
  assert.equal(rcv.requests.filter((r) => r.path === '/down').length, 3);
  assert.equal(rcv.requests.filter((r) => r.path === '/after').length, 0);

  assert.equal(goneRun.status, 'failed');
  assert.deepEqual(goneRun.steps[0].attempts.map((a) => [a.status_code, a.error]), [[404, 'http_4xx']]);
  assert.equal(rcv.requests.filter((r) => r.path === '/gone').length, 1);

  const failed = await client.get('/api/v1/workflow-runs?status=failed');
  assert.deepEqual(failed.json.data.map((r) => r.id).sort(), [downRun.id, goneRun.id].sort());
  assert.equal((await client.get('/api/v1/workflow-runs?status=nope')).status, 400);
  assert.equal((await client.get('/api/v1/workflow-runs?workflow_id=whk_1')).status, 400);

  // Redelivered by hand once the receiver is back: one more attempt, signed
  // with the step's secret; the run resumes with the step it had skipped.
  rcv.respond({ status: 200 });
  rcv.secret = down.steps[0].secret;
  const last = downRun.steps[0].attempts[2];
  const r = await client.post(`/api/v1/deliveries/${last.delivery_id}/redeliver`);
  assert.equal(r.status, 202, r.text);
  const redone = await client.settledDelivery(r.json.delivery_id);
  assert.equal(redone.status, 'succeeded');
  assert.equal(redone.redelivery_of, last.delivery_id);
  assert.equal(redone.endpoint_id, null);
  const rec = rcv.requests.find((q) => q.headers['x-pitchbar-webhook-id'] === redone.id);
  assert.equal(rec.path, '/down');
  rcv.assertVerified(rec);
  const after = await waitUntil(async () => {
    const run = await client.run(downRun.id);
    return run.status !== 'running' ? run : false;
  }, { what: 'the resumed run to end' });
  assert.equal(after.status, 'succeeded');
  assert.deepEqual(after.steps.map((s) => s.status), ['succeeded', 'succeeded']);
  assert.equal(after.steps[0].attempts.length, 4);
  assert.equal(rcv.requests.filter((q) => q.path === '/after').length, 1);
});

test('a step still retrying cannot be redelivered by hand; a new workflow\'s steps carry no id', { timeout: 60000 }, async (t) => {
  const { rcv, client } = await setup(t, { label: 'workflows-busy', env: { PITCHBAR_RETRY_DELAYS: '30,30' } });
  rcv.respond({ status: 500 });
  const wf = await createWorkflow(client, [{ type: 'webhook', url: rcv.url('/busy') }, { type: 'webhook', url: rcv.url('/next') }]);
  assert.equal((await client.lead({ email: 'busy@example.com' })).status, 201);
  const run = await waitUntil(async () => {
    const r = (await client.get(`/api/v1/workflow-runs?workflow_id=${wf.id}`)).json.data[0];
    return r && r.steps[0].attempts.length === 1 && r.steps[0].attempts[0].status === 'failed' ? r : false;
  }, { what: 'the first attempt to fail' });
  assert.equal(run.steps[0].status, 'running');
  const r = await client.post(`/api/v1/deliveries/${run.steps[0].attempts[0].delivery_id}/redeliver`);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'step_in_progress');
  assert.equal((await client.run(run.id)).steps[0].attempts.length, 1, 'the refused redelivery made an attempt');

  const withId = await client.post('/api/v1/workflows', { name: 'x', trigger: 'lead.captured', steps: [{ id: wf.steps[0].id, type: 'webhook', url: rcv.url() }] });
  assert.equal(withId.status, 422, withId.text);
  assert.match(withId.json.error.fields.steps, /no "id"/);
});

test('429 with Retry-After: 2: the next attempt waits at least 2 s; steps run in order', { timeout: 60000 }, async (t) => {
  const { rcv, client } = await setup(t, { label: 'workflows-429' });
  const wf = await createWorkflow(client, [{ type: 'webhook', url: rcv.url('/one') }, { type: 'webhook', url: rcv.url('/two') }]);
  rcv.next({ status: 429, headers: { 'Retry-After': '2' } });

  assert.equal((await client.lead({ email: 'slow@example.com' })).status, 201);
  const run = await settledRun(client, wf);
  assert.equal(run.status, 'succeeded');
  assert.deepEqual(rcv.requests.map((r) => r.path), ['/one', '/one', '/two']);
  const gap = rcv.requests[1].at - rcv.requests[0].at;
  assert.ok(gap >= 2000, `the attempt after Retry-After: 2 came ${gap} ms later`);
  assert.ok(rcv.requests[2].at >= rcv.requests[1].at, 'step two before step one finished');
  assert.notEqual(rcv.requests[0].headers['webhook-id'], rcv.requests[2].headers['webhook-id'], 'two steps share a webhook-id');
});

test('workflows are fixed at capture: one disabled before its run gets its steps skipped', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client } = await setup(t, { label: 'workflows-fixed', env: { ...FAST, PITCHBAR_WORKERS: '0' } });
  const wf = await createWorkflow(client, [{ type: 'webhook', url: rcv.url('/x') }, { type: 'webhook', url: rcv.url('/y') }]);
  assert.equal((await client.lead({ email: 'fixed@example.com' })).status, 201);
  const later = await createWorkflow(client, [{ type: 'webhook', url: rcv.url('/later') }], { name: 'later' });
  assert.equal((await client.patch(`/api/v1/workflows/${wf.id}`, { enabled: false })).status, 200);
  await srv.stop();
  await srv.restart({ env: { ...FAST, PITCHBAR_WORKERS: '2' } });

  const run = await settledRun(client, wf);
  assert.deepEqual(run.steps.map((s) => s.status), ['skipped', 'skipped']);
  assert.equal(run.status, 'succeeded');
  assert.equal(run.steps[0].attempts[0].error, 'workflow_disabled');
  assert.equal((await client.get(`/api/v1/workflow-runs?workflow_id=${later.id}`)).json.data.length, 0);
  assert.equal(rcv.requests.length, 0);
});
