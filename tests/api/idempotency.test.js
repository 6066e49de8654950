'use strict';
// Repeated submissions: an Idempotency-Key replays the first answer and
// creates nothing; a known e-mail updates its lead and sends nothing new.

const test = require('node:test');
const assert = require('node:assert/strict');
const { api } = require('./lib/api');
const { withEndpoint } = require('./lib/setup');
const { settle } = require('./lib/wait');

async function setup(t, label) {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label });
  return { srv, rcv, client, endpoint };
}

test('the same Idempotency-Key and body replay the first answer and create nothing; another body gets 409', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await setup(t, 'idem');
  const body = { email: 'retry@example.com', name: 'Retry Ready', fields: { budget: '5k' } };
  const key = 'idem-7f1c2a9e-0001';

  const first = await client.lead(body, { headers: { 'Idempotency-Key': key } });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.status, 'captured');

  for (let i = 0; i < 3; i++) {
    const again = await client.lead(body, { headers: { 'Idempotency-Key': key } });
    assert.equal(again.status, 201, `replay ${i + 1}: ${again.status} ${again.text}`);
    assert.deepEqual(again.json, first.json, 'a replay must give the first answer');
    assert.ok(again.headers['access-control-allow-origin']);
  }

  // The deliveries of a lead are written with it, so a second capture
  // would already show here.
  assert.equal(await client.leadCount(), 1);
  assert.equal((await client.deliveries(endpoint.id)).length, 1, 'a replay created a delivery');

  // The same key with another body: 409, nothing stored.
  const other = await client.lead({ ...body, name: 'Someone Else' }, { headers: { 'Idempotency-Key': key } });
  assert.equal(other.status, 409, other.text);
  assert.ok(other.json && other.json.error && typeof other.json.error.code === 'string', other.text);
  assert.ok(other.headers['access-control-allow-origin'], 'the 409 has no Access-Control-Allow-Origin');
  const otherEmail = await client.lead({ ...body, email: 'someone.else@example.com' }, { headers: { 'Idempotency-Key': key } });
  assert.equal(otherEmail.status, 409, otherEmail.text);

  // The same body sent as a form is another request, so 409 as well.
  const asForm = await client.lead(Buffer.from('email=retry%40example.com&name=Retry+Ready&fields%5Bbudget%5D=5k'),
    { contentType: 'application/x-www-form-urlencoded', headers: { 'Idempotency-Key': key } });
  assert.equal(asForm.status, 409, asForm.text);

  // Another key is another request: this one updates the known e-mail.
  const fresh = await client.lead(body, { headers: { 'Idempotency-Key': 'idem-7f1c2a9e-0002' } });
  assert.equal(fresh.status, 200, fresh.text);
  assert.deepEqual(fresh.json, { id: first.json.id, status: 'updated' });

  const leads = await client.listAll('/api/v1/leads');
  assert.equal(leads.length, 1);
  assert.equal(leads[0].name, 'Retry Ready', 'a refused request changed the lead');
  await rcv.waitFor(1);
  await settle(500);
  assert.equal(rcv.requests.length, 1);
  assert.equal((await client.deliveries(endpoint.id)).length, 1);
  await srv.stop();
});

test('the same e-mail twice (other case and spaces): 200 "updated", same id, fields merged, no second webhook', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await setup(t, 'same-email');

  const first = await client.lead({
    email: 'Dana.Example@Example.COM',
    name: 'Dana',
    message: 'First message',
    fields: { budget: '5k', seats: '20', source: 'ads' },
  });
  assert.equal(first.status, 201, first.text);
  assert.deepEqual(Object.keys(first.json).sort(), ['id', 'status']);
  assert.equal(first.json.status, 'captured');
  const [rec] = await rcv.waitFor(1);
  assert.equal(rec.json.data.email, 'dana.example@example.com', 'the e-mail is trimmed and lower-cased');

  const second = await client.lead({
    email: '  dana.example@EXAMPLE.com \t',
    company: 'Example GmbH',
    message: 'Second message',
    fields: { seats: '25', plan: 'pro' },
  });
  assert.equal(second.status, 200, second.text);
  assert.deepEqual(second.json, { id: first.json.id, status: 'updated' });
  assert.ok(second.headers['access-control-allow-origin']);

  const leads = await client.listAll('/api/v1/leads');
  assert.equal(leads.length, 1);
  const [lead] = leads;
  assert.equal(lead.id, first.json.id);
  assert.equal(lead.email, 'dana.example@example.com');
  assert.equal(lead.name, 'Dana', 'a field left out must keep its value');
  assert.equal(lead.company, 'Example GmbH');
  assert.equal(lead.message, 'Second message');
  assert.deepEqual(lead.fields, { budget: '5k', seats: '25', source: 'ads', plan: 'pro' }, 'custom fields merged, new keys win');

  // No second lead.captured: no second delivery, nothing more at the receiver.
  assert.equal((await client.deliveries(endpoint.id)).length, 1, 'an update created a delivery');
  await settle(1000);
  assert.equal(rcv.requests.length, 1, 'an update sent a webhook');
  await srv.stop();
});
