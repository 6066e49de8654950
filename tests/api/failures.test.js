'use strict';
// Receivers that fail: the visitor never notices, the delivery log and the
// run log say what happened, and each lead.captured delivery is a single
// attempt.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver, closedUrl } = require('./lib/receiver');
const { api } = require('./lib/api');
const { settle, scaled } = require('./lib/wait');

// Retries, if the service wrongly made any, would come this fast.
const FAST_RETRIES = { PITCHBAR_RETRY_DELAYS: '0.1,0.1' };

async function setup(t, { env = {}, respond, url } = {}) {
  const srv = await startServer({ env: { ...FAST_RETRIES, ...env }, label: 'fail' });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver({ respond });
  t.after(() => rcv.close());
  const client = api(srv);
  const endpoint = await client.createEndpoint(url || rcv.url('/hook'));
  rcv.secret = endpoint.secret;
  return { srv, rcv, client, endpoint };
}

function lead(n = 1) {
  return { email: `visitor${n}@example.com`, name: `Visitor ${n}`, message: 'Hello' };
}

async function assertRunFailed(client, dlv) {
  const run = await client.run(dlv.run_id);
  assert.equal(run.status, 'failed', `run ${run.id} should have failed: ${JSON.stringify(run)}`);
  assert.equal(run.steps.length, 1);
  assert.equal(run.steps[0].type, 'webhook');
  assert.equal(run.steps[0].status, 'failed');
  assert.equal(run.steps[0].attempts.length, 1, 'a lead.captured delivery is one attempt');
  assert.equal(run.steps[0].attempts[0].delivery_id, dlv.id);
  assert.equal(run.steps[0].attempts[0].error, dlv.error);
  assert.equal(run.steps[0].attempts[0].status_code, dlv.status_code);
  return run;
}

test('a receiver answering 500: the visitor gets 201, one failed attempt, http_5xx, run failed', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await setup(t, { respond: { status: 500, body: 'internal oops' } });

  const res = await client.lead(lead());
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.status, 'captured');

  await rcv.waitFor(1);
  rcv.assertVerified(rcv.requests[0]);
  const [dlv] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(dlv.status, 'failed');
  assert.equal(dlv.status_code, 500);
  assert.equal(dlv.error, 'http_5xx');
  assert.equal(dlv.response.body, 'internal oops');
  await assertRunFailed(client, dlv);

  // Single attempt: no retry arrives, even with retry delays of 0.1 s.
  await settle(1500);
  assert.equal(rcv.requests.length, 1, 'the failed delivery was retried');
  assert.equal((await client.deliveries(endpoint.id)).length, 1);
  assert.equal(await client.leadCount(), 1);
  await srv.stop();
});

test('a receiver not listening: delivery failed with "connect", the visitor gets 201', { timeout: 60000 }, async (t) => {
  const url = await closedUrl('/hook');
  const { srv, client, endpoint } = await setup(t, { url });

  const res = await client.lead(lead());
  assert.equal(res.status, 201, res.text);

  const [dlv] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(dlv.status, 'failed');
  assert.equal(dlv.error, 'connect');
  assert.equal(dlv.status_code, null);
  assert.equal(dlv.request.url, url);
  await assertRunFailed(client, dlv);

  await settle(1000);
  assert.equal((await client.deliveries(endpoint.id)).length, 1, 'a connect failure must not create more deliveries');
  await srv.stop();
});

test('a receiver hanging past the time-out: the visitor gets 201 fast, the delivery fails with "timeout"', { timeout: 60000 }, async (t) => {
  const TIMEOUT_MS = 1500; // PITCHBAR_WEBHOOK_TIMEOUT_MS of every test server
  const { srv, rcv, client, endpoint } = await setup(t, { respond: { hang: true } });

  const first = await client.lead(lead(1));
  assert.equal(first.status, 201, first.text);
  assert.ok(first.ms < TIMEOUT_MS / 3, `the visitor waited ${first.ms} ms`);

  // While a delivery hangs at the receiver, another visitor is not held up.
  await rcv.waitFor(1);
  const second = await client.lead(lead(2));
  assert.equal(second.status, 201, second.text);
  assert.ok(second.ms < TIMEOUT_MS / 3, `the visitor waited ${second.ms} ms while a webhook hung`);
  await rcv.waitFor(2);

  const list = await client.settledDeliveries(endpoint.id, 2);
  assert.equal(list.length, 2);
  for (const dlv of list) {
    assert.equal(dlv.status, 'failed');
    assert.equal(dlv.error, 'timeout');
    assert.equal(dlv.status_code, null);
    assert.ok(dlv.duration_ms >= TIMEOUT_MS * 0.9, `gave up after ${dlv.duration_ms} ms, before the ${TIMEOUT_MS} ms time-out`);
    assert.ok(dlv.duration_ms < TIMEOUT_MS + scaled(2000), `gave up after ${dlv.duration_ms} ms, long past the time-out`);
    await assertRunFailed(client, dlv);
  }
  await settle(1000);
  assert.equal(rcv.requests.length, 2, 'a timed-out delivery was retried');
  await srv.stop();
});

// DESIGN section 2: a claimed job is held for PITCHBAR_JOB_LEASE_MS and "a
// running job renews it". An attempt that takes longer than the lease (a
// slow receiver, a time-out above the lease) must still be one attempt.
test('a delivery that outlasts the job lease is still sent once (the running job renews its lease)', { timeout: 60000 }, async (t) => {
  const LEASE_MS = 1000;
  const TIMEOUT_MS = 3500;
  const { srv, rcv, client, endpoint } = await setup(t, {
    env: { PITCHBAR_JOB_LEASE_MS: String(LEASE_MS), PITCHBAR_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) },
    respond: { hang: true },
  });

  assert.equal((await client.lead(lead())).status, 201);
  const [dlv] = await client.settledDeliveries(endpoint.id, 1, { timeoutMs: TIMEOUT_MS * 4 });
  assert.equal(dlv.error, 'timeout');
  await settle(500);
  const ids = rcv.requests.map((q) => q.headers['x-pitchbar-webhook-id']);
  assert.deepEqual(ids, [dlv.id], `one delivery was sent ${ids.length} times: its job was taken over while still running`);
  assert.equal((await client.deliveries(endpoint.id)).length, 1);
  await srv.stop();
});

test('410 Gone disables the endpoint and says why; later leads go nowhere', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await setup(t, { respond: { status: 410, body: 'gone' } });

  assert.equal((await client.lead(lead(1))).status, 201);
  await rcv.waitFor(1);
  const [dlv] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(dlv.status, 'failed');
  assert.equal(dlv.status_code, 410);
  assert.equal(dlv.error, 'http_4xx');
  await assertRunFailed(client, dlv);

  const ep = await client.get(`/api/v1/webhooks/${endpoint.id}`);
  assert.equal(ep.status, 200, ep.text);
  assert.equal(ep.json.enabled, false, 'a 410 must disable the endpoint');
  assert.equal(typeof ep.json.disabled_reason, 'string');
  assert.match(ep.json.disabled_reason, /410|gone/i);

  // Recipients are fixed at capture: a disabled endpoint gets no delivery.
  const again = await client.lead(lead(2));
  assert.equal(again.status, 201, again.text);
  assert.equal((await client.deliveries(endpoint.id)).length, 1, 'a disabled endpoint was given a delivery');

  // Enabling it again clears the reason.
  const on = await client.patch(`/api/v1/webhooks/${endpoint.id}`, { enabled: true });
  assert.equal(on.status, 200, on.text);
  assert.equal(on.json.enabled, true);
  assert.equal(on.json.disabled_reason, null);
  assert.equal(rcv.requests.length, 1);
  await srv.stop();
});

test('a 302 answer is a failure with "http_3xx" and the redirect is not followed', { timeout: 60000 }, async (t) => {
  let rcv;
  const { srv, client, endpoint, rcv: r } = await setup(t, {
    respond: (req) =>
      req.path === '/hook'
        ? { status: 302, headers: { Location: rcv.url('/redirected') }, body: 'moved' }
        : { status: 200, body: 'followed' },
  });
  rcv = r;

  assert.equal((await client.lead(lead())).status, 201);
  const [dlv] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(dlv.status, 'failed');
  assert.equal(dlv.status_code, 302);
  assert.equal(dlv.error, 'http_3xx');
  await assertRunFailed(client, dlv);

  // The attempt is recorded only after it ended, so a followed redirect
  // would already be here.
  assert.deepEqual(rcv.requests.map((q) => q.path), ['/hook'], 'the redirect was followed');
  const ep = await client.get(`/api/v1/webhooks/${endpoint.id}`);
  assert.equal(ep.json.enabled, true, 'a 302 must not disable the endpoint');
  await srv.stop();
});
