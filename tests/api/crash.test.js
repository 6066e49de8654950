'use strict';
// A 201'd lead survives a kill -9 and its delivery still goes out after a
// restart: the pending delivery and its job are rows, not memory.

const test = require('node:test');
const assert = require('node:assert/strict');
const { api } = require('./lib/api');
const { withEndpoint } = require('./lib/setup');
const { settle } = require('./lib/wait');

// Deterministic: with no workers nothing can be sent before the kill, so
// the delivery can only go out after the restart.
test('SIGKILL right after a 201, then a restart: the delivery goes out, exactly once', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'crash', env: { PITCHBAR_WORKERS: '0' } });

  const res = await client.lead({ email: 'crash@example.com', name: 'Crash Test', message: 'kill -9 me ☠' });
  assert.equal(res.status, 201, res.text);
  await srv.kill();

  await srv.restart({ env: { PITCHBAR_WORKERS: '2' } });
  const [rec] = await rcv.waitFor(1);
  rcv.assertVerified(rec);
  assert.equal(rec.json.data.lead_id, res.json.id);
  assert.equal(rec.json.data.message, 'kill -9 me ☠');

  const [dlv] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(dlv.status, 'succeeded');
  assert.equal(dlv.status_code, 200);
  // Long enough for a job left behind to be claimed again: its lease
  // (2 s) expires and an idle worker polls (every 2 s).
  await settle(4500);
  const ids = rcv.requests.map((r) => r.headers['webhook-id']);
  assert.deepEqual(ids, [dlv.message_id], 'the delivery did not go out exactly once');
  assert.equal((await client.deliveries(endpoint.id)).length, 1);
  const leads = await client.listAll('/api/v1/leads');
  assert.deepEqual(leads.map((l) => l.id), [res.json.id]);
  await srv.stop();
});

// The same crash with workers running: the kill lands somewhere between the
// 201 and the recorded attempt. Whatever the timing, the lead is kept and
// its one message (one webhook-id, the same bytes) reaches the receiver.
test('SIGKILL immediately after a 201 with workers running: the lead is kept and its message arrives', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'crash2' });

  const res = await client.lead({ email: 'crash2@example.com', name: 'Crash Two' });
  assert.equal(res.status, 201, res.text);
  await srv.kill();
  await srv.restart();

  const [dlv] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(dlv.status, 'succeeded');
  await rcv.waitFor(1);
  await settle(4500);
  for (const rec of rcv.requests) rcv.assertVerified(rec);
  assert.deepEqual([...new Set(rcv.requests.map((r) => r.headers['webhook-id']))], [dlv.message_id]);
  assert.ok(rcv.requests.every((r) => r.body.equals(rcv.requests[0].body)), 'a resent message changed its body');
  assert.equal(rcv.requests[0].json.data.lead_id, res.json.id);
  assert.equal((await client.deliveries(endpoint.id)).length, 1);
  assert.equal(await client.leadCount(), 1);
  await srv.stop();
});
