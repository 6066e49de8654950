'use strict';
// Webhook actions (docs/api.md, DESIGN section 4): rotate-secret (the old
// secret keeps signing for 24 hours: two v1 signatures in each header),
// the test event, and redeliver-failed (one new delivery per failed
// message since a time at most 14 days back).

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startReceiver, verifyPitchbarSignature, verifyStandardWebhook } = require('./lib/receiver');
const { withEndpoint } = require('./lib/setup');
const { api } = require('./lib/api');
const { cli } = require('./lib/cli');
const { settle } = require('./lib/wait');

const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAY_MS = 24 * 3600 * 1000;

function assertError(r, status, code, what) {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status} ${r.text}`);
  if (code) assert.equal(r.json && r.json.error && r.json.error.code, code, `${what}: error code: ${r.text}`);
}

function assertSecret(secret) {
  assert.match(String(secret), /^whsec_[A-Za-z0-9+/]{43}=$/, `secret ${secret} is not whsec_ + base64 of 32 bytes`);
}

// The v1 signatures of an X-Pitchbar-Signature header, and its t.
function pitchbarParts(header) {
  const parts = String(header).split(',');
  const t = parts.filter((p) => p.startsWith('t=')).map((p) => p.slice(2));
  const v1 = parts.filter((p) => p.startsWith('v1=')).map((p) => p.slice(3));
  return { t, v1 };
}

const hmacHex = (secret, t, body) => crypto.createHmac('sha256', Buffer.from(secret, 'ascii')).update(`${t}.`).update(body).digest('hex');
const standardSig = (secret, id, ts, body) =>
  `v1,${crypto.createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${id}.${ts}.`).update(body).digest('base64')}`;

// Asserts that a received request carries a signature of each secret,
// in each header, in that order (new first), and no other.
function assertSignedBy(rec, secrets, what) {
  const sig = rec.headers['x-pitchbar-signature'];
  const { t, v1 } = pitchbarParts(sig);
  assert.equal(t.length, 1, `${what}: X-Pitchbar-Signature ${sig}`);
  assert.deepEqual(v1, secrets.map((s) => hmacHex(s, t[0], rec.body)), `${what}: X-Pitchbar-Signature ${sig} is not t=...,${secrets.map((_, i) => `v1=<${i ? 'old' : 'new'}>`).join(',')}`);
  const std = String(rec.headers['webhook-signature']);
  assert.deepEqual(
    std.split(' '),
    secrets.map((s) => standardSig(s, rec.headers['webhook-id'], rec.headers['webhook-timestamp'], rec.body)),
    `${what}: webhook-signature ${std}`,
  );
  // Each secret alone verifies, the way receivers check.
  for (const s of secrets) {
    assert.doesNotThrow(() => verifyPitchbarSignature(rec.body, sig, s), `${what}: X-Pitchbar-Signature does not verify with ${s.slice(0, 10)}...`);
    assert.doesNotThrow(() => verifyStandardWebhook(rec.body, rec.headers, s), `${what}: webhook-signature does not verify with ${s.slice(0, 10)}...`);
  }
  const stranger = `whsec_${crypto.randomBytes(32).toString('base64')}`;
  assert.throws(() => verifyPitchbarSignature(rec.body, sig, stranger));
  assert.throws(() => verifyStandardWebhook(rec.body, rec.headers, stranger));
}

async function memberClient(srv) {
  const ws = (await api(srv).get('/api/v1/session')).json.workspace.id;
  const c = cli(srv);
  await c.userAdd({ email: 'member@example.com', role: 'member', workspace: ws, password: 'member-password' });
  return api({ ...srv, token: await c.tokenCreate({ email: 'member@example.com', workspace: ws }) });
}

test('rotate-secret: a new secret, the old one kept 24 h; the next deliveries carry two v1 signatures that verify with either secret', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'act-rotate' });
  const oldSecret = endpoint.secret;

  // A Member may not rotate; nothing changes.
  const member = await memberClient(srv);
  assertError(await member.post(`/api/v1/webhooks/${endpoint.id}/rotate-secret`), 403, 'forbidden', 'a Member rotating');
  assert.equal((await client.get(`/api/v1/webhooks/${endpoint.id}`)).json.secret, oldSecret);

  const before = Date.now();
  const r = await client.post(`/api/v1/webhooks/${endpoint.id}/rotate-secret`);
  assert.equal(r.status, 200, r.text);
  const after = Date.now();
  assert.equal(r.json.id, endpoint.id);
  assertSecret(r.json.secret);
  assert.notEqual(r.json.secret, oldSecret, 'the secret did not change');
  const newSecret = r.json.secret;
  assert.match(String(r.json.previous_secret_expires_at), RFC3339_MS, `previous_secret_expires_at: ${r.text}`);
  const expires = Date.parse(r.json.previous_secret_expires_at);
  assert.ok(expires >= before + DAY_MS - 2000 && expires <= after + DAY_MS + 2000, `previous_secret_expires_at ${r.json.previous_secret_expires_at} is not 24 h after ${new Date(before).toISOString()}`);
  assert.ok(!r.text.includes(oldSecret), 'the answer shows the old secret');
  const got = await client.get(`/api/v1/webhooks/${endpoint.id}`);
  assert.equal(got.json.secret, newSecret);
  assert.equal(got.json.previous_secret_expires_at, r.json.previous_secret_expires_at);
  const seenByMember = await member.get(`/api/v1/webhooks/${endpoint.id}`);
  assert.ok(!seenByMember.text.includes(newSecret) && !seenByMember.text.includes(oldSecret), 'a Member sees a secret');

  // A lead's delivery: two signatures in each header, new first.
  rcv.secret = newSecret;
  assert.equal((await client.lead({ email: 'rotated@example.com', name: 'Rotated' })).status, 201);
  const [rec] = await rcv.waitFor(1);
  assertSignedBy(rec, [newSecret, oldSecret], 'a lead after rotation');
  rcv.assertVerified(rec);

  // A test event too.
  const tr = await client.post(`/api/v1/webhooks/${endpoint.id}/test`);
  assert.equal(tr.status, 202, tr.text);
  const [, testRec] = await rcv.waitFor(2);
  assert.equal(testRec.json.test, true);
  assertSignedBy(testRec, [newSecret, oldSecret], 'a test event after rotation');
  await srv.stop();
});

test('before any rotation a delivery carries one signature per header', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'act-one-sig' });
  assert.equal(endpoint.previous_secret_expires_at, null);
  assert.equal((await client.lead({ email: 'single@example.com' })).status, 201);
  const [rec] = await rcv.waitFor(1);
  assertSignedBy(rec, [endpoint.secret], 'a lead before rotation');
  await srv.stop();
});

test('test event: 202 {delivery_id}; the endpoint gets a signed "test": true lead.captured, logged as a delivery; no lead is stored; other endpoints get nothing', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'act-test' });
  const other = await startReceiver();
  t.after(() => other.close());
  const otherEndpoint = await client.createEndpoint(other.url('/other'));
  const ws = (await client.get('/api/v1/session')).json.workspace.id;
  const leadsBefore = await client.leadCount();

  const r = await client.post(`/api/v1/webhooks/${endpoint.id}/test`);
  assert.equal(r.status, 202, r.text);
  assert.deepEqual(Object.keys(r.json), ['delivery_id']);
  assert.match(r.json.delivery_id, /^dlv_/);

  const [rec] = await rcv.waitFor(1);
  rcv.assertVerified(rec);
  assertSignedBy(rec, [endpoint.secret], 'the test event');
  assert.equal(rec.method, 'POST');
  assert.equal(rec.path, '/hook');
  assert.equal(rec.headers['x-pitchbar-event'], 'lead.captured');
  assert.equal(rec.headers['x-pitchbar-webhook-id'], r.json.delivery_id);
  assert.match(String(rec.headers['webhook-id']), /^msg_/);
  assert.match(String(rec.headers['content-type']), /^application\/json/);
  const body = rec.json;
  assert.ok(body, `the body is not JSON: ${rec.body}`);
  assert.equal(body.test, true, `"test" is not true: ${rec.body}`);
  assert.equal(body.event, 'lead.captured');
  assert.match(body.id, /^evt_/);
  assert.match(body.occurred_at, RFC3339_MS);
  assert.equal(body.workspace_id, ws);
  for (const k of ['lead_id', 'agent_id', 'conversation_id', 'name', 'email', 'phone', 'company', 'message', 'page_url', 'fields']) {
    assert.ok(k in body.data, `the test lead lacks data.${k}: ${rec.body}`);
  }

  // Logged: the delivery with the exact body.
  const d = await client.settledDelivery(r.json.delivery_id);
  assert.equal(d.status, 'succeeded', JSON.stringify(d));
  assert.equal(d.endpoint_id, endpoint.id);
  assert.equal(d.status_code, 200);
  assert.equal(d.request.body, rec.body.toString('utf8'));
  assert.equal(d.message_id, rec.headers['webhook-id']);
  assert.ok((await client.deliveries(endpoint.id)).some((x) => x.id === r.json.delivery_id), 'the test delivery is not in the endpoint\'s log');

  // Nothing else: no lead, nothing to the other endpoint, one request.
  await settle(1000);
  assert.equal(await client.leadCount(), leadsBefore, 'the test event stored a lead');
  assert.equal(other.requests.length, 0, 'another endpoint got the test event');
  assert.deepEqual(await client.deliveries(otherEndpoint.id), []);
  assert.equal(rcv.requests.length, 1);

  assertError(await client.post('/api/v1/webhooks/whk_01M8YH8V7AH1ATFR4KAXMDE98X/test'), 404, 'not_found', 'a test to an unknown endpoint');
  const member = await memberClient(srv);
  assertError(await member.post(`/api/v1/webhooks/${endpoint.id}/test`), 403, 'forbidden', 'a Member sending a test');
  await settle(500);
  assert.equal(rcv.requests.length, 1, 'a refused test event was sent');
  await srv.stop();
});

test('redeliver-failed: one new delivery per failed message since the time given (not succeeded ones, not twice), same webhook-id and body', { timeout: 90000 }, async (t) => {
  // Each e-mail fails its first N attempts, then succeeds.
  const failures = { 'l0@example.com': 1, 'l1@example.com': 1, 'l6@example.com': 2, 'l3@example.com': 1, 'l4@example.com': 1 };
  const attempts = new Map();
  const respond = (rec) => {
    const email = rec.json && rec.json.data && rec.json.data.email;
    const n = (attempts.get(rec.headers['webhook-id']) || 0) + 1;
    attempts.set(rec.headers['webhook-id'], n);
    return n <= (failures[email] || 0) ? { status: 503, body: 'not now' } : { status: 200, body: 'ok' };
  };
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'act-redeliver-failed', respond });
  const byEmail = {};
  const known = new Set();
  const lead = async (email) => {
    assert.equal((await client.lead({ email })).status, 201);
    const list = await client.settledDeliveries(endpoint.id, known.size + 1);
    byEmail[email] = list.find((d) => !known.has(d.id));
    known.add(byEmail[email].id);
    return byEmail[email];
  };
  const redeliver = async (d) => {
    const r = await client.post(`/api/v1/deliveries/${d.id}/redeliver`);
    assert.equal(r.status, 202, r.text);
    known.add(r.json.delivery_id);
    return client.settledDelivery(r.json.delivery_id);
  };

  // Before the cut: l0 and l1 fail; l6 fails, and fails again by hand.
  for (const e of ['l0@example.com', 'l1@example.com', 'l6@example.com']) assert.equal((await lead(e)).status, 'failed');
  const l6again = await redeliver(byEmail['l6@example.com']);
  assert.equal(l6again.status, 'failed');
  await settle(20);
  const cut = new Date().toISOString();
  await settle(20);
  // After it: l2 succeeds; l3 fails and then succeeds by hand; l4 fails.
  assert.equal((await lead('l2@example.com')).status, 'succeeded');
  assert.equal((await lead('l3@example.com')).status, 'failed');
  assert.equal((await redeliver(byEmail['l3@example.com'])).status, 'succeeded');
  assert.equal((await lead('l4@example.com')).status, 'failed');
  const sent = rcv.requests.length;
  assert.equal(sent, 8);
  const firstBody = (msg) => rcv.requests.find((q) => q.headers['webhook-id'] === msg).body;

  // Since the cut: l4 only.
  const a = await client.post(`/api/v1/webhooks/${endpoint.id}/redeliver-failed`, { since: cut });
  assert.equal(a.status, 202, a.text);
  assert.ok(Array.isArray(a.json.delivery_ids), a.text);
  assert.equal(a.json.delivery_ids.length, 1, `since ${cut}: ${a.text}`);
  const l4new = await client.settledDelivery(a.json.delivery_ids[0]);
  assert.equal(l4new.message_id, byEmail['l4@example.com'].message_id);
  assert.equal(l4new.redelivery_of, byEmail['l4@example.com'].id);
  assert.equal(l4new.status, 'succeeded');

  // Since an hour ago: l0, l1 and l6, once each.
  const b = await client.post(`/api/v1/webhooks/${endpoint.id}/redeliver-failed`, { since: new Date(Date.now() - 3600e3).toISOString() });
  assert.equal(b.status, 202, b.text);
  const ids = b.json.delivery_ids;
  assert.equal(new Set(ids).size, ids.length, `repeated ids: ${b.text}`);
  const news = [];
  for (const id of ids) {
    assert.match(id, /^dlv_/);
    news.push(await client.settledDelivery(id));
  }
  const wanted = ['l0@example.com', 'l1@example.com', 'l6@example.com'].map((e) => byEmail[e].message_id).sort();
  assert.deepEqual(news.map((d) => d.message_id).sort(), wanted, `one new delivery per failed message (l0, l1, l6), none for l2 (succeeded), l3 (succeeded later), l4 (redelivered): ${b.text}`);
  for (const d of news) {
    assert.equal(d.status, 'succeeded', JSON.stringify(d));
    assert.equal(d.endpoint_id, endpoint.id);
    const original = Object.values(byEmail).find((x) => x.message_id === d.message_id);
    assert.ok([original.id, l6again.id].includes(d.redelivery_of), `redelivery_of ${d.redelivery_of}`);
  }

  // What the receiver got: the same webhook-id and body bytes, new X-Pitchbar-Webhook-Id.
  await rcv.waitFor(sent + 4);
  for (const d of [l4new, ...news]) {
    const rec = rcv.requests.find((q) => q.headers['x-pitchbar-webhook-id'] === d.id);
    assert.ok(rec, `the receiver did not get ${d.id}`);
    rcv.assertVerified(rec);
    assert.equal(rec.headers['webhook-id'], d.message_id);
    assert.ok(rec.body.equals(firstBody(d.message_id)), 'the redelivery changed the body bytes');
  }

  // Again: nothing left to redeliver.
  const c = await client.post(`/api/v1/webhooks/${endpoint.id}/redeliver-failed`, { since: new Date(Date.now() - 3600e3).toISOString() });
  assert.equal(c.status, 202, c.text);
  assert.deepEqual(c.json.delivery_ids, [], 'messages that succeeded since were redelivered again');
  await settle(1000);
  assert.equal(rcv.requests.length, sent + 4, 'more requests than the redeliveries');
  await srv.stop();
});

test('redeliver-failed refuses a since older than 14 days or malformed (422), a Member (403), an unknown endpoint (404), and sends nothing', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'act-redeliver-bad', respond: { status: 500, body: 'no' } });
  assert.equal((await client.lead({ email: 'failing@example.com' })).status, 201);
  const [failed] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(failed.status, 'failed');
  const sent = rcv.requests.length;
  const path = `/api/v1/webhooks/${endpoint.id}/redeliver-failed`;

  for (const since of [
    new Date(Date.now() - 15 * DAY_MS).toISOString(),
    new Date(Date.now() - 14 * DAY_MS - 60000).toISOString(),
    'yesterday',
    '2026-13-45T00:00:00Z',
    '',
    12345,
    null,
  ]) {
    const r = await client.post(path, { since });
    assertError(r, 422, 'invalid_fields', `since ${JSON.stringify(since)}`);
    assert.ok(r.json.error.fields && r.json.error.fields.since, `no fields.since: ${r.text}`);
  }
  const missing = await client.post(path, {});
  assertError(missing, 422, 'invalid_fields', 'no since');
  assert.ok(missing.json.error.fields && missing.json.error.fields.since, missing.text);
  assertError(await client.post(path, '{"since": ', { headers: { 'Content-Type': 'application/json' } }), 400, 'malformed', 'a body that is not JSON');

  const member = await memberClient(srv);
  const hourAgo = new Date(Date.now() - 3600e3).toISOString();
  assertError(await member.post(path, { since: hourAgo }), 403, 'forbidden', 'a Member');
  assertError(await client.post('/api/v1/webhooks/whk_01M8YH8V7AH1ATFR4KAXMDE98X/redeliver-failed', { since: hourAgo }), 404, 'not_found', 'an unknown endpoint');

  await settle(1000);
  assert.equal(rcv.requests.length, sent, 'a refused redeliver-failed sent something');
  assert.deepEqual((await client.deliveries(endpoint.id)).map((d) => d.id), [failed.id], 'a refused redeliver-failed made deliveries');

  // Just inside the window, it works.
  const ok = await client.post(path, { since: new Date(Date.now() - 14 * DAY_MS + 60000).toISOString() });
  assert.equal(ok.status, 202, ok.text);
  assert.equal(ok.json.delivery_ids.length, 1);
  await rcv.waitFor(sent + 1);
  await srv.stop();
});

test('a disabled endpoint refuses a test event, redeliver-failed and a redelivery with 409 endpoint_disabled, and sends nothing', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'act-disabled', respond: { status: 500, body: 'no' } });
  assert.equal((await client.lead({ email: 'disabled@example.com' })).status, 201);
  const [failed] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(failed.status, 'failed');
  const off = await client.patch(`/api/v1/webhooks/${endpoint.id}`, { enabled: false });
  assert.equal(off.status, 200, off.text);
  const sent = rcv.requests.length;
  const since = new Date(Date.now() - 3600e3).toISOString();

  assertError(await client.post(`/api/v1/webhooks/${endpoint.id}/test`), 409, 'endpoint_disabled', 'test event');
  assertError(await client.post(`/api/v1/webhooks/${endpoint.id}/redeliver-failed`, { since }), 409, 'endpoint_disabled', 'redeliver-failed');
  const again = await client.post(`/api/v1/deliveries/${failed.id}/redeliver`);
  assertError(again, 409, 'endpoint_disabled', 'redeliver');
  assert.match(again.json.error.message, /disabled/);

  await settle(500);
  assert.equal(rcv.requests.length, sent, 'a refused action sent something');
  assert.deepEqual((await client.deliveries(endpoint.id)).map((d) => d.id), [failed.id], 'a refused action made deliveries');

  // Enabled again, each works.
  assert.equal((await client.patch(`/api/v1/webhooks/${endpoint.id}`, { enabled: true })).status, 200);
  assert.equal((await client.post(`/api/v1/webhooks/${endpoint.id}/test`)).status, 202);
  assert.equal((await client.post(`/api/v1/deliveries/${failed.id}/redeliver`)).status, 202);
  await rcv.waitFor(sent + 2);
  await srv.stop();
});
