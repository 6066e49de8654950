'use strict';
// 100 leads posted at once: 100 leads stored, exactly 100 deliveries, each
// received exactly once. The Makefile also runs this file alone against the
// ThreadSanitizer build (PITCHBAR_TEST_TSAN=1), so it is self-contained and
// its deadlines scale with that build's speed (see lib/wait.js).

const test = require('node:test');
const assert = require('node:assert/strict');
const { api } = require('./lib/api');
const { withEndpoint } = require('./lib/setup');
const { settle, scaled } = require('./lib/wait');

const N = 100;

test(`${N} leads posted concurrently give ${N} leads and exactly ${N} deliveries, each received once`, { timeout: scaled(120000) }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'concurrency' });

  const emails = Array.from({ length: N }, (_, i) => `visitor-${String(i).padStart(3, '0')}@example.com`);
  const answers = await Promise.all(
    emails.map((email, i) => client.lead({ email, name: `Visitor ${i}`, message: `Lead number ${i} ✓`, fields: { n: String(i) } })),
  );
  const statuses = answers.map((a) => a.status);
  assert.deepEqual(statuses, Array(N).fill(201), `not every lead got 201: ${JSON.stringify(answers.filter((a) => a.status !== 201).map((a) => [a.status, a.text]))}`);
  const leadIds = answers.map((a) => a.json.id);
  assert.equal(new Set(leadIds).size, N, 'two leads share an id');

  // N leads, listed through several pages.
  const leads = await client.listAll('/api/v1/leads', { limit: 30 });
  assert.equal(leads.length, N);
  assert.deepEqual(leads.map((l) => l.email).sort(), [...emails].sort());
  assert.deepEqual(new Set(leads.map((l) => l.id)), new Set(leadIds));
  // Newest first.
  const ids = leads.map((l) => l.id);
  assert.deepEqual(ids, [...ids].sort().reverse(), 'leads are not listed newest first');

  // Exactly N deliveries, all succeeded, one per lead.
  const deliveries = await client.settledDeliveries(endpoint.id, N, { timeoutMs: 60000 });
  assert.equal(deliveries.length, N);
  assert.ok(deliveries.every((d) => d.status === 'succeeded' && d.status_code === 200),
    `not every delivery succeeded: ${JSON.stringify(deliveries.filter((d) => d.status !== 'succeeded').map((d) => [d.id, d.status, d.error]))}`);
  assert.equal(new Set(deliveries.map((d) => d.id)).size, N);
  assert.equal(new Set(deliveries.map((d) => d.message_id)).size, N);

  // The receiver got each exactly once, and all verify.
  await rcv.waitFor(N, 60000);
  await settle(1000); // a duplicate would show up here
  assert.equal(rcv.requests.length, N, `the receiver got ${rcv.requests.length} requests for ${N} leads`);
  const byMessage = new Map();
  for (const rec of rcv.requests) {
    rcv.assertVerified(rec);
    byMessage.set(rec.headers['webhook-id'], (byMessage.get(rec.headers['webhook-id']) || 0) + 1);
  }
  assert.equal(byMessage.size, N, 'some webhook-id arrived more than once');
  assert.deepEqual(new Set(byMessage.keys()), new Set(deliveries.map((d) => d.message_id)));
  assert.deepEqual(rcv.requests.map((r) => r.json.data.email).sort(), [...emails].sort());
  assert.deepEqual(new Set(rcv.requests.map((r) => r.json.data.lead_id)), new Set(leadIds));

  await srv.stop({ timeoutMs: 30000 });
});
