'use strict';
// /api/v1/webhooks: create, list, get, update, delete; field checks; the
// event registry (reserved names refused as "not available yet"); bearer
// token authentication.

const test = require('node:test');
const assert = require('node:assert/strict');
const dns = require('node:dns').promises;
const os = require('node:os');
const { startServer } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');

const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RESERVED = ['conversation.started', 'conversation.message', 'conversation.routed', 'lead.updated'];

function assertSecret(secret) {
  assert.equal(typeof secret, 'string', 'no secret');
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, `secret ${secret} is not whsec_ + base64 of 32 bytes`);
  assert.equal(Buffer.from(secret.slice(6), 'base64').length, 32);
}

function assertEndpointShape(ep) {
  for (const k of ['id', 'url', 'description', 'events', 'enabled', 'disabled_reason', 'previous_secret_expires_at', 'created_at', 'updated_at']) {
    assert.ok(k in ep, `an endpoint lacks "${k}": ${JSON.stringify(ep)}`);
  }
  assert.match(ep.id, /^whk_/);
  assert.match(ep.created_at, RFC3339_MS);
  assert.match(ep.updated_at, RFC3339_MS);
}

test('webhook endpoints: create, list, get, update, delete', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'webhooks-crud' });
  t.after(() => srv.cleanup());
  const rcvA = await startReceiver();
  t.after(() => rcvA.close());
  const rcvB = await startReceiver();
  t.after(() => rcvB.close());
  const client = api(srv);

  // Create.
  const c = await client.post('/api/v1/webhooks', { url: rcvA.url('/a'), events: ['lead.captured'], description: 'CRM ☁ <main>' });
  assert.equal(c.status, 201, c.text);
  const ep = c.json;
  assertEndpointShape(ep);
  assert.equal(ep.url, rcvA.url('/a'));
  assert.equal(ep.description, 'CRM ☁ <main>');
  assert.deepEqual(ep.events, ['lead.captured']);
  assert.equal(ep.enabled, true);
  assert.equal(ep.disabled_reason, null);
  assert.equal(ep.previous_secret_expires_at, null);
  assertSecret(ep.secret);

  // Get: the same, secret included.
  const g = await client.get(`/api/v1/webhooks/${ep.id}`);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json, ep);

  // A second endpoint has its own secret; the list shows both.
  const c2 = await client.post('/api/v1/webhooks', { url: rcvB.url('/b'), events: ['lead.captured', 'lead.captured'] });
  assert.equal(c2.status, 201, c2.text);
  assertSecret(c2.json.secret);
  assert.notEqual(c2.json.secret, ep.secret);
  assert.deepEqual(c2.json.events, ['lead.captured']);

  const all = await client.listAll('/api/v1/webhooks', { limit: 1 });
  assert.deepEqual(all.map((e) => e.id).sort(), [ep.id, c2.json.id].sort());
  assert.deepEqual(all.find((e) => e.id === ep.id), ep);
  const page = await client.get('/api/v1/webhooks?limit=1');
  assert.equal(page.json.data.length, 1);
  assert.equal(typeof page.json.next_cursor, 'string', 'a list with more items must give next_cursor');

  // Update url, events, description, enabled: each one sticks.
  const u = await client.patch(`/api/v1/webhooks/${ep.id}`, { url: rcvB.url('/moved'), description: 'moved', events: ['lead.captured'] });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.url, rcvB.url('/moved'));
  assert.equal(u.json.description, 'moved');
  assert.deepEqual(u.json.events, ['lead.captured']);
  assert.equal(u.json.enabled, true);
  assert.equal(u.json.secret, ep.secret, 'an update must not change the secret');
  assert.equal(u.json.created_at, ep.created_at);
  assert.ok(u.json.updated_at >= ep.updated_at);
  const off = await client.patch(`/api/v1/webhooks/${ep.id}`, { enabled: false });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.json.enabled, false);
  assert.equal(off.json.url, rcvB.url('/moved'), 'a partial update changed another field');
  assert.equal(off.json.description, 'moved');
  assert.deepEqual((await client.get(`/api/v1/webhooks/${ep.id}`)).json, off.json);

  // A lead now goes to the enabled endpoint only, at its URL.
  rcvB.secret = c2.json.secret;
  const lead = await client.lead({ email: 'crud@example.com' });
  assert.equal(lead.status, 201, lead.text);
  assert.deepEqual(await client.deliveries(ep.id), [], 'a disabled endpoint was given a delivery');
  const [rec] = await rcvB.waitFor(1);
  assert.equal(rec.path, '/b');
  rcvB.assertVerified(rec);
  const on = await client.patch(`/api/v1/webhooks/${ep.id}`, { enabled: true });
  assert.equal(on.json.enabled, true);

  // Delete: 204, then gone everywhere.
  const d = await client.del(`/api/v1/webhooks/${ep.id}`);
  assert.equal(d.status, 204, d.text);
  assert.equal((await client.get(`/api/v1/webhooks/${ep.id}`)).status, 404);
  assert.equal((await client.patch(`/api/v1/webhooks/${ep.id}`, { enabled: true })).status, 404);
  assert.equal((await client.del(`/api/v1/webhooks/${ep.id}`)).status, 404);
  assert.equal((await client.get(`/api/v1/webhooks/${ep.id}/deliveries`)).status, 404);
  assert.deepEqual((await client.listAll('/api/v1/webhooks')).map((e) => e.id), [c2.json.id]);

  // Unknown ids.
  assert.equal((await client.get('/api/v1/webhooks/whk_01M8YH8V7AH1ATFR4KAXMDE98X')).status, 404);
  assert.equal((await client.get('/api/v1/webhooks/nonsense')).status, 404);
  assert.equal(rcvA.requests.length, 0);
  await srv.stop();
});

test('webhook endpoint fields are checked: bad URLs, reserved and unknown events, wrong types → 422', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'webhooks-422' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const good = { url: 'https://hooks.example.com/pitchbar', events: ['lead.captured'] };

  const cases = [
    ['ftp:// URL', { ...good, url: 'ftp://hooks.example.com/x' }, 'url'],
    ['URL without a scheme', { ...good, url: 'hooks.example.com/x' }, 'url'],
    ['javascript: URL', { ...good, url: 'javascript:alert(1)' }, 'url'],
    ['file: URL', { ...good, url: 'file:///etc/passwd' }, 'url'],
    ['not a URL', { ...good, url: 'not a url' }, 'url'],
    ['empty URL', { ...good, url: '' }, 'url'],
    ['URL too long', { ...good, url: `https://hooks.example.com/${'x'.repeat(4096)}` }, 'url'],
    ['URL as a number', { ...good, url: 42 }, 'url'],
    ['missing URL', { events: ['lead.captured'] }, 'url'],
    ['missing events', { url: good.url }, 'events'],
    ['empty events', { ...good, events: [] }, 'events'],
    ['events as a string', { ...good, events: 'lead.captured' }, 'events'],
    ['events holding a number', { ...good, events: [1] }, 'events'],
    ['unknown event', { ...good, events: ['lead.deleted'] }, 'events'],
    ['unknown event among good ones', { ...good, events: ['lead.captured', 'invoice.paid'] }, 'events'],
    ['enabled as a string', { ...good, enabled: 'yes' }, 'enabled'],
    ['description as a number', { ...good, description: 5 }, 'description'],
  ];
  for (const [label, body, field] of cases) {
    await t.test(label, async () => {
      const r = await client.post('/api/v1/webhooks', body);
      assert.equal(r.status, 422, `${label}: ${r.status} ${r.text}`);
      assert.equal(typeof r.json.error.message, 'string');
      assert.equal(typeof r.json.error.fields[field], 'string', `${label}: no error for "${field}": ${r.text}`);
    });
  }

  for (const name of RESERVED) {
    await t.test(`reserved event ${name}`, async () => {
      const r = await client.post('/api/v1/webhooks', { ...good, events: [name] });
      assert.equal(r.status, 422, r.text);
      assert.match(r.json.error.fields.events, /not available yet/i, `the message must say ${name} is not available yet: ${r.text}`);
    });
  }

  await t.test('an unknown event is not called "not available yet"', async () => {
    const r = await client.post('/api/v1/webhooks', { ...good, events: ['lead.deleted'] });
    assert.doesNotMatch(r.json.error.fields.events, /not available yet/i);
  });

  await t.test('malformed and non-JSON bodies', async () => {
    assert.equal((await client.post('/api/v1/webhooks', '{"url":', { headers: { 'Content-Type': 'application/json' } })).status, 400);
    assert.equal((await client.post('/api/v1/webhooks', '[]', { headers: { 'Content-Type': 'application/json' } })).status, 400);
    assert.equal((await client.post('/api/v1/webhooks', 'url=x', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status, 415);
  });

  await t.test('nothing was created', async () => {
    assert.deepEqual(await client.listAll('/api/v1/webhooks'), []);
  });

  await t.test('a bad update changes nothing', async () => {
    const c = await client.post('/api/v1/webhooks', good);
    assert.equal(c.status, 201, c.text);
    for (const body of [{ url: 'ftp://x.example/' }, { events: ['lead.updated'] }, { events: [] }, { url: 'https://ok.example/', events: ['nope'] }]) {
      const r = await client.patch(`/api/v1/webhooks/${c.json.id}`, body);
      assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
    }
    const now = await client.get(`/api/v1/webhooks/${c.json.id}`);
    assert.deepEqual(now.json, c.json);
  });
  await srv.stop();
});

test('requests without a token or with a bad token get 401', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'webhooks-401' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const ep = await client.createEndpoint('https://hooks.example.com/x');
  const routes = [
    ['GET', '/api/v1/webhooks'],
    ['POST', '/api/v1/webhooks', { url: 'https://hooks.example.com/y', events: ['lead.captured'] }],
    ['GET', `/api/v1/webhooks/${ep.id}`],
    ['PATCH', `/api/v1/webhooks/${ep.id}`, { enabled: false }],
    ['DELETE', `/api/v1/webhooks/${ep.id}`],
    ['GET', `/api/v1/webhooks/${ep.id}/deliveries`],
    ['GET', '/api/v1/leads'],
    ['GET', '/api/v1/deliveries/dlv_01M8YH8V7AH1ATFR4KAXMDE98X'],
    ['GET', '/api/v1/workflow-runs/run_01M8YH8V7AH1ATFR4KAXMDE98X'],
  ];
  const credentials = [
    ['no Authorization header', {}],
    ['an unknown token', { Authorization: 'Bearer pbt_thisIsNotARealTokenAtAll0000000000000000000' }],
    ['a mangled real token', { Authorization: `Bearer ${srv.token.slice(0, -2)}xx` }],
    ['the real token with another scheme', { Authorization: `Basic ${srv.token}` }],
    ['an empty bearer token', { Authorization: 'Bearer ' }],
  ];
  for (const [label, headers] of credentials) {
    for (const [method, path, body] of routes) {
      const r = await client[method === 'DELETE' ? 'del' : method.toLowerCase()](
        path, ...(method === 'GET' || method === 'DELETE' ? [] : [body]), { token: null, headers });
      assert.equal(r.status, 401, `${method} ${path} with ${label}: ${r.status} ${r.text}`);
      assert.equal(typeof r.json.error.code, 'string');
      assert.equal(r.json.error.secret, undefined);
      assert.ok(!r.text.includes('whsec_'), 'a 401 leaked a secret');
    }
  }
  // Nothing changed; the real token still works.
  const still = await client.get(`/api/v1/webhooks/${ep.id}`);
  assert.equal(still.status, 200);
  assert.equal(still.json.enabled, true);
  await srv.stop();
});

test('without PITCHBAR_ALLOW_PRIVATE_TARGETS, literal private addresses are refused on save and loopback by name at the attempt', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'webhooks-private', env: { PITCHBAR_ALLOW_PRIVATE_TARGETS: '0' } });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const client = api(srv);

  for (const url of [
    'http://127.0.0.1/hook', 'http://10.1.2.3/hook', 'http://192.168.0.10:8080/hook', 'http://172.16.5.4/hook',
    'http://169.254.169.254/latest/meta-data', 'http://100.64.0.1/hook', 'http://0.0.0.0/hook', 'http://[::1]/hook',
    'http://[fc00::1]/hook', 'http://[fe80::1]/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://224.0.0.1/hook',
  ]) {
    const r = await client.post('/api/v1/webhooks', { url, events: ['lead.captured'] });
    assert.equal(r.status, 422, `${url} was accepted: ${r.status} ${r.text}`);
    assert.equal(typeof r.json.error.fields.url, 'string');
  }
  assert.deepEqual(await client.listAll('/api/v1/webhooks'), []);

  // "localhost" is refused by name on save.
  const lh = await client.post('/api/v1/webhooks', { url: `http://localhost:${rcv.port}/hook`, events: ['lead.captured'] });
  assert.equal(lh.status, 422, lh.text);

  // Another name is not checked on save, but the address actually
  // connected to is checked at the attempt. This machine's own host name
  // resolves to a loopback or private address (/etc/hosts).
  const host = os.hostname();
  let addr;
  try {
    addr = (await dns.lookup(host, { family: 4 })).address;
  } catch {
    addr = null;
  }
  if (!addr || !/^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(addr)) {
    t.diagnostic(`host name ${host} resolves to ${addr}: the at-attempt check is not exercised here`);
    await srv.stop();
    return;
  }
  const ep = await client.createEndpoint(`http://${host}:${rcv.port}/hook`);
  assert.equal((await client.lead({ email: 'guard@example.com' })).status, 201);
  const [dlv] = await client.settledDeliveries(ep.id, 1);
  assert.equal(dlv.status, 'failed');
  assert.equal(dlv.error, 'blocked_target');
  assert.equal(rcv.requests.length, 0, 'a request reached a loopback receiver');
  await srv.stop();
});
