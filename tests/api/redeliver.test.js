'use strict';
// Redelivery by hand: a new delivery (new X-Pitchbar-Webhook-Id), the same
// message (same webhook-id) and the very same body bytes, freshly signed.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');
const { settle } = require('./lib/wait');

test('redeliver: 202 with the new id; same body bytes and webhook-id, new X-Pitchbar-Webhook-Id, redelivery_of set', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'redeliver', env: { PITCHBAR_RETRY_DELAYS: '0.1,0.1' } });
  t.after(() => srv.cleanup());
  // The first attempt fails, the redelivery succeeds.
  const rcv = await startReceiver({ respond: { status: 200, body: 'ok' } });
  t.after(() => rcv.close());
  rcv.next({ status: 503, body: 'down for maintenance' });
  const client = api(srv);
  const endpoint = await client.createEndpoint(rcv.url('/hook'));
  rcv.secret = endpoint.secret;

  const res = await client.lead({ email: 'again@example.com', name: 'Ågain «twice» 🔁', message: 'line 1\nline 2 <&>' });
  assert.equal(res.status, 201, res.text);
  const [first] = await rcv.waitFor(1);
  const [original] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(original.status, 'failed');
  assert.equal(original.error, 'http_5xx');
  let run = await client.run(original.run_id);
  assert.equal(run.status, 'failed');

  const r = await client.post(`/api/v1/deliveries/${original.id}/redeliver`);
  assert.equal(r.status, 202, r.text);
  const newId = r.json.delivery_id;
  assert.match(newId, /^dlv_/);
  assert.notEqual(newId, original.id);

  const [, second] = await rcv.waitFor(2);
  rcv.assertVerified(first);
  rcv.assertVerified(second);
  assert.ok(second.body.equals(first.body), 'the redelivery changed the body bytes');
  assert.equal(second.headers['webhook-id'], first.headers['webhook-id'], 'the redelivery changed webhook-id');
  assert.equal(second.headers['webhook-id'], original.message_id);
  assert.equal(first.headers['x-pitchbar-webhook-id'], original.id);
  assert.equal(second.headers['x-pitchbar-webhook-id'], newId, 'X-Pitchbar-Webhook-Id must be the new delivery id');
  assert.equal(second.headers['x-pitchbar-event'], 'lead.captured');

  const redelivered = await client.settledDelivery(newId);
  assert.equal(redelivered.redelivery_of, original.id);
  assert.equal(redelivered.message_id, original.message_id);
  assert.equal(redelivered.event_id, original.event_id);
  assert.equal(redelivered.endpoint_id, endpoint.id);
  assert.equal(redelivered.status, 'succeeded');
  assert.equal(redelivered.status_code, 200);
  assert.equal(redelivered.request.body, original.request.body);

  // The original is unchanged; the log lists both, newest first.
  const list = await client.deliveries(endpoint.id);
  assert.deepEqual(list.map((d) => d.id), [newId, original.id]);
  assert.equal(list[1].status, 'failed');
  assert.equal(list[1].redelivery_of, null);

  // The run gains the attempt on its step and now succeeds.
  run = await client.run(original.run_id);
  assert.equal(run.steps.length, 1);
  assert.deepEqual(run.steps[0].attempts.map((a) => a.delivery_id), [original.id, newId]);
  assert.equal(run.steps[0].status, 'succeeded');
  assert.equal(run.status, 'succeeded');

  // One attempt each, nothing more.
  await settle(1000);
  assert.equal(rcv.requests.length, 2);
  await srv.stop();
});

test('redeliver refuses what it cannot do: unknown id 404, no token 401', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'redeliver-bad' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const unknown = await client.post('/api/v1/deliveries/dlv_01M8YH8V7AH1ATFR4KAXMDE98X/redeliver');
  assert.equal(unknown.status, 404, unknown.text);
  const garbage = await client.post('/api/v1/deliveries/not-an-id/redeliver');
  assert.equal(garbage.status, 404, garbage.text);
  const anon = await client.post('/api/v1/deliveries/dlv_01M8YH8V7AH1ATFR4KAXMDE98X/redeliver', undefined, { token: null });
  assert.equal(anon.status, 401, anon.text);
  await srv.stop();
});
