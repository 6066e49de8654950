'use strict';
// The walking skeleton end to end: a widget lead with hostile text in every
// field arrives at a real receiver as a signed lead.captured webhook, byte
// for byte, and the delivery and its dispatch run are recorded.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');

const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Every text has non-ASCII, an emoji, a newline (where the limit allows)
// and the characters <>&" that HTML and JSON treat specially.
const LEAD = {
  name: 'Zoë Ångström-Nguyễn 🎯 <b>&"boss"</b>\nsecond line',
  email: 'zoe.angstrom@example.com',
  phone: '+49 (0) 30 – 1234 ☎ <ext>&"7"',
  company: 'Société Générale & Fils <Ünïcödé> "quoted" 株式会社 🚀',
  message: 'Hallo! Pricing for 20 seats?\nLine two: <script>alert("x")</script> & more\r\nEmoji: 👩🏽‍💻 🇩🇪 😀\tTab.',
  page_url: 'https://acme.example/preise?größe=20&q=<x>&"y"#ß',
  fields: {
    budget: '5k € 💶',
    'größe <&"key">': 'Wert mit "Anführung" & <Tags>\nund Umbruch ✓',
    plan: 'Pro 🚀',
  },
};

test('a lead with non-ASCII, emoji, newlines and <>&" in every field arrives byte-for-byte and signed', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'happy' });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const client = api(srv);

  const endpoint = await client.createEndpoint(rcv.url('/hook'), { description: 'happy path' });
  rcv.secret = endpoint.secret;

  const res = await client.lead(LEAD);
  assert.equal(res.status, 201, res.text);
  assert.match(res.json.id, /^lead_/);
  assert.equal(res.json.status, 'captured');

  const [rec] = await rcv.waitFor(1);

  // The request as DESIGN section 4 describes it.
  assert.equal(rec.method, 'POST');
  assert.equal(rec.path, '/hook');
  assert.match(rec.headers['content-type'], /^application\/json\b/);
  assert.match(rec.headers['user-agent'], /^Pitchbar-Webhooks\/\S+/);
  assert.equal(rec.headers['x-pitchbar-event'], 'lead.captured');
  assert.match(rec.headers['x-pitchbar-webhook-id'], /^dlv_/);
  assert.match(rec.headers['webhook-id'], /^msg_/);
  assert.match(rec.headers['webhook-timestamp'], /^\d+$/);
  assert.match(rec.headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
  assert.match(rec.headers['x-pitchbar-signature'], /^t=\d+,v1=[0-9a-f]{64}$/);

  // Both signatures verify, each the way a customer would check it.
  rcv.assertVerified(rec);

  // The raw bytes: valid UTF-8, non-ASCII sent as itself, never \u-escaped.
  const text = new TextDecoder('utf-8', { fatal: true }).decode(rec.body);
  assert.doesNotMatch(text, /\\u[0-9a-fA-F]{4}/, `the body escapes characters as \\uXXXX:\n${text}`);
  for (const s of ['Zoë Ångström-Nguyễn 🎯', '☎', '株式会社 🚀', '👩🏽‍💻 🇩🇪 😀', 'größe', '5k € 💶', 'Wert mit', '✓']) {
    assert.ok(rec.body.includes(Buffer.from(s, 'utf8')), `raw body lacks the UTF-8 bytes of "${s}"`);
  }

  // The envelope, every key present.
  const body = rec.json;
  assert.ok(body, 'the body is not JSON');
  assert.deepEqual(Object.keys(body).sort(), ['data', 'event', 'id', 'occurred_at', 'test', 'workspace_id']);
  assert.match(body.id, /^evt_/);
  assert.equal(body.event, 'lead.captured');
  assert.match(body.occurred_at, RFC3339_MS);
  assert.match(body.workspace_id, /^ws_/);
  assert.equal(body.test, false);
  assert.deepEqual(Object.keys(body.data).sort(), [
    'agent_id', 'company', 'conversation_id', 'email', 'fields', 'lead_id', 'message', 'name', 'page_url', 'phone',
  ]);
  assert.equal(body.data.lead_id, res.json.id);
  assert.match(body.data.agent_id, /^agt_/);
  assert.equal(body.data.conversation_id, null);

  // Every field, string for string.
  for (const k of ['name', 'email', 'phone', 'company', 'message', 'page_url']) {
    assert.equal(body.data[k], LEAD[k], `data.${k} changed on the way`);
  }
  assert.deepEqual(body.data.fields, LEAD.fields);

  // The delivery log shows it succeeded with 200, with the very bytes sent.
  const [dlv] = await client.settledDeliveries(endpoint.id, 1);
  const deliveries = await client.deliveries(endpoint.id);
  assert.equal(deliveries.length, 1);
  assert.equal(dlv.id, rec.headers['x-pitchbar-webhook-id']);
  assert.equal(dlv.message_id, rec.headers['webhook-id']);
  assert.equal(dlv.event_id, body.id);
  assert.equal(dlv.endpoint_id, endpoint.id);
  assert.equal(dlv.redelivery_of, null);
  assert.equal(dlv.status, 'succeeded');
  assert.equal(dlv.status_code, 200);
  assert.equal(dlv.error, null);
  assert.equal(typeof dlv.duration_ms, 'number');
  assert.match(dlv.created_at, RFC3339_MS);
  assert.equal(dlv.request.url, rcv.url('/hook'));
  assert.ok(Buffer.from(dlv.request.body, 'utf8').equals(rec.body), 'the delivery log does not hold the bytes that were sent');
  assert.ok(dlv.response, 'no response recorded');
  assert.equal(dlv.response.body, 'ok');

  // GET /api/v1/deliveries/{id} agrees.
  const one = await client.get(`/api/v1/deliveries/${dlv.id}`);
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.status, 'succeeded');
  assert.equal(one.json.status_code, 200);

  // The dispatch run: succeeded, one webhook step, its one attempt.
  assert.match(dlv.run_id, /^run_/);
  const run = await client.run(dlv.run_id);
  assert.equal(run.id, dlv.run_id);
  assert.equal(run.workflow_id, null);
  assert.equal(run.event_id, body.id);
  assert.equal(run.status, 'succeeded');
  assert.equal(run.steps.length, 1);
  const [step] = run.steps;
  assert.equal(step.type, 'webhook');
  assert.equal(step.endpoint_id, endpoint.id);
  assert.equal(step.url, rcv.url('/hook'));
  assert.equal(step.status, 'succeeded');
  assert.equal(step.attempts.length, 1);
  assert.equal(step.attempts[0].delivery_id, dlv.id);
  assert.equal(step.attempts[0].status_code, 200);
  assert.equal(step.attempts[0].error, null);
  assert.match(step.attempts[0].at, RFC3339_MS);
  assert.equal(typeof step.attempts[0].duration_ms, 'number');

  // The lead itself is listed as it was sent.
  const leads = await client.listAll('/api/v1/leads');
  assert.equal(leads.length, 1);
  assert.equal(leads[0].id, res.json.id);
  for (const k of ['name', 'email', 'phone', 'company', 'message', 'page_url']) assert.equal(leads[0][k], LEAD[k]);
  assert.deepEqual(leads[0].fields, LEAD.fields);

  assert.equal(rcv.requests.length, 1, 'the receiver got more than one request');
  await srv.stop();
});
