'use strict';
// Hostile or odd input that once did harm: each case answers cleanly,
// stores nothing it should not, and leaves the server healthy (the
// sanitized build reports any memory error when the server stops).

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { api } = require('./lib/api');
const { withEndpoint } = require('./lib/setup');
const { request } = require('./lib/http');

test('form and JSON oddities: a plain "fields" key, two "fields" objects, trailing garbage', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'hardening-input' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const form = 'application/x-www-form-urlencoded';

  let r = await client.lead('email=a%40b.co&fields[a]=1&fields=x&fields[b]=2', { contentType: form });
  assert.equal(r.status, 422, r.text);
  assert.ok(r.json.error.fields.fields, r.text);

  const thirty = (p) => Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`${p}${i}`, 'v']));
  const twice = `{"email":"two@b.co","fields":${JSON.stringify(thirty('a'))},"fields":${JSON.stringify(thirty('b'))}}`;
  r = await client.lead(twice);
  assert.equal(r.status, 422, r.text);

  r = await client.lead('{"email":"t@x.io"} garbage');
  assert.equal(r.status, 400, r.text);
  r = await client.lead('{"email":"t@x.io"}\u0000{}');
  assert.equal(r.status, 400, r.text);

  // Thousands of unknown keys: one bounded answer, before any key is
  // compared with another.
  const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 'v']));
  r = await client.lead({ email: 'many@b.co', ...many });
  assert.equal(r.status, 400, r.text);
  assert.match(r.json.error.message, /more than 200 members/);
  assert.ok(r.raw.length < 4096, `a ${r.raw.length}-byte error answer`);

  assert.equal(await client.leadCount(), 0);
  await srv.stop();
});

test('bodies: refused before they are read without a token; none on GET; 64 KiB for the API', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'hardening-bodies' });
  t.after(() => srv.cleanup());
  const big = Buffer.alloc(60 * 1024, 'a');

  let r = await request('POST', `${srv.url}/api/v1/webhooks`, { body: big, headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 401, 'no token: refused before the body, not parsed');
  r = await request('POST', `${srv.url}/api/v1/webhooks`, {
    body: Buffer.alloc(65 * 1024, 'a'),
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${srv.token}` },
  });
  assert.equal(r.status, 413);
  r = await request('GET', `${srv.url}/api/v1/leads`, { body: 'x', headers: { Authorization: `Bearer ${srv.token}` } });
  assert.equal(r.status, 413, 'a GET carries no body');
  // (Node sends a DELETE body chunked only when told to.)
  r = await request('DELETE', `${srv.url}/api/v1/webhooks/whk_x`, {
    body: 'x',
    chunked: true,
    headers: { Authorization: `Bearer ${srv.token}`, 'Transfer-Encoding': 'chunked' },
  });
  assert.equal(r.status, 413);
  await srv.stop();
});

test('a 405 names the allowed methods (HEAD wherever GET is); on the widget path it still carries Access-Control-Allow-Origin', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'hardening-cors' });
  t.after(() => srv.cleanup());
  let r = await request('GET', `${srv.url}/widget/v1/${srv.widgetKey}/leads`);
  assert.equal(r.status, 405);
  assert.equal(r.headers['access-control-allow-origin'], '*');
  assert.equal(r.headers.allow, 'POST, OPTIONS');
  r = await request('PUT', `${srv.url}/api/v1/webhooks`, { headers: { Authorization: `Bearer ${srv.token}` } });
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, 'GET, HEAD, POST');
  assert.equal(r.headers['access-control-allow-origin'], undefined);
  // HEAD answers as GET would, without the body.
  r = await request('HEAD', `${srv.url}/api/v1/webhooks`, { headers: { Authorization: `Bearer ${srv.token}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /application\/json/);
  assert.equal(r.raw.length, 0);
  r = await request('HEAD', `${srv.url}/healthz`);
  assert.equal(r.status, 200);
  r = await request('GET', `${srv.url}/no/such/page`);
  assert.equal(r.status, 404);
  assert.equal(r.headers.allow, undefined);
  await srv.stop();
});

test('webhook URLs: no credentials, no localhost with a final dot; proxies from the environment are ignored', { timeout: 60000 }, async (t) => {
  const guarded = await startServer({ label: 'hardening-urls', env: { PITCHBAR_ALLOW_PRIVATE_TARGETS: 0 } });
  t.after(() => guarded.cleanup());
  const g = api(guarded);
  for (const url of ['https://user:pw@example.com/hook', 'http://localhost./hook', 'http://[2002:a00:1::1]/hook', 'http://192.168.1.1./hook', 'http:///hook', 'https:////x.example/hook']) {
    const r = await g.post('/api/v1/webhooks', { url, events: ['lead.captured'] });
    assert.equal(r.status, 422, `${url}: ${r.status} ${r.text}`);
    assert.ok(r.json.error.fields.url, r.text);
  }
  await guarded.stop();

  // A proxy in the environment would see the request instead of the
  // target (and the guard would check the proxy): it is not used.
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'hardening-proxy', env: { http_proxy: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', ALL_PROXY: 'http://127.0.0.1:9' } });
  assert.equal((await client.lead({ email: 'proxy@example.com' })).status, 201);
  const [d] = await client.settledDeliveries(endpoint.id, 1);
  assert.equal(d.status, 'succeeded', JSON.stringify(d));
  await srv.stop();
});
