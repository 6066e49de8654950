'use strict';
// DESIGN section 4, "recipients are fixed at capture": the endpoints an
// event goes to are those enabled and subscribed when it is stored; one
// created later gets nothing; one disabled or deleted before its attempt
// gets nothing and its delivery is recorded as skipped.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');

test('recipients are fixed at capture; disabled or deleted before the attempt means skipped', { timeout: 60000 }, async (t) => {
  // No workers at first, so that every change below happens before the
  // attempts, whatever the timing.
  const srv = await startServer({ label: 'recipients', env: { PITCHBAR_WORKERS: '0' } });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const client = api(srv);

  const keep = await client.createEndpoint(rcv.url('/keep'));
  const disable = await client.createEndpoint(rcv.url('/disable'));
  const remove = await client.createEndpoint(rcv.url('/delete'));
  rcv.secret = keep.secret;

  const res = await client.lead({ email: 'fixed@example.com' });
  assert.equal(res.status, 201, res.text);

  // Written with the lead: one pending delivery per endpoint.
  const pending = {};
  for (const ep of [keep, disable, remove]) {
    const list = await client.deliveries(ep.id);
    assert.equal(list.length, 1, `${ep.url}: the delivery was not written with the lead`);
    assert.equal(list[0].status, 'pending');
    assert.equal(list[0].attempted_at, null);
    assert.equal(list[0].duration_ms, null, 'a duration before any attempt');
    assert.equal(list[0].status_code, null);
    pending[ep.id] = list[0];
  }
  const later = await client.createEndpoint(rcv.url('/later'));
  assert.equal((await client.patch(`/api/v1/webhooks/${disable.id}`, { enabled: false })).status, 200);
  assert.equal((await client.del(`/api/v1/webhooks/${remove.id}`)).status, 204);

  await srv.stop();
  await srv.restart({ env: { PITCHBAR_WORKERS: '2' } });

  const [kept] = await client.settledDeliveries(keep.id, 1);
  assert.equal(kept.status, 'succeeded');
  const [skipped] = await client.settledDeliveries(disable.id, 1);
  assert.equal(skipped.status, 'skipped', 'a delivery to an endpoint disabled before its attempt must be skipped');
  const gone = await client.settledDelivery(pending[remove.id].id);
  assert.equal(gone.status, 'skipped', 'a delivery to an endpoint deleted before its attempt must be skipped');
  assert.deepEqual(await client.deliveries(later.id), [], 'an endpoint created after the capture was given the event');

  // Everything is settled, and only the kept endpoint was sent anything.
  assert.deepEqual(rcv.requests.map((r) => r.path), ['/keep']);
  rcv.assertVerified(rcv.requests[0]);
  const run = await client.run(kept.run_id);
  assert.equal(run.steps.length, 3, 'the dispatch run has one step per recipient fixed at capture');
  assert.deepEqual(run.steps.map((s) => s.status).sort(), ['skipped', 'skipped', 'succeeded']);
  await srv.stop();
});
