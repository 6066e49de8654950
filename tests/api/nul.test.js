'use strict';
// NUL characters, however they come (the JSON escape \u0000, %00 in a form,
// a path or a query, a raw byte in the request head), never cut a text
// short where the server reads it as a C string: the request is refused or
// matches nothing, and nothing is stored. Also: the log shows no widget key
// for paths that match no route, and a chunked body past its limit gets a
// JSON 413.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { startServer } = require('./lib/server');
const { api } = require('./lib/api');
const { request } = require('./lib/http');

const FORM = 'application/x-www-form-urlencoded';

// Sends bytes as they are on a fresh connection; resolves with the status
// of the answer (0 when the server closed without one).
function rawStatus(srv, head) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let got = '';
    sock.setEncoding('latin1');
    sock.on('data', (d) => {
      got += d;
    });
    sock.on('error', reject);
    sock.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(got);
      resolve(m ? Number(m[1]) : 0);
    });
    sock.end(Buffer.from(head, 'latin1'));
  });
}

test('the JSON escape \\u0000 is refused (400) wherever it stands; nothing is stored', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'nul-json' });
  t.after(() => srv.cleanup());
  const client = api(srv);

  // JSON.stringify writes a NUL character as the escape \u0000.
  const leads = [
    { email: 'a@example.com\u0000evil', name: 'Na\u0000me' },
    { email: 'b@example.com', name: 'Na\u0000me' },
    { email: 'c@example.com', fields: { 'plan\u0000x': 'pro' } },
    { email: 'd@example.com', fields: { plan: 'pro\u0000x' } },
  ];
  for (const body of leads) {
    const r = await client.lead(body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
    assert.equal(r.json.error.code, 'malformed', r.text);
  }
  const hooks = [
    { url: 'http://127.0.0.1:9/hook\u0000evil', events: ['lead.captured'] },
    { url: 'http://127.0.0.1:9/hook', events: ['lead.captured'], description: 'ours\u0000theirs' },
  ];
  for (const body of hooks) {
    const r = await client.post('/api/v1/webhooks', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
    assert.equal(r.json.error.code, 'malformed', r.text);
  }
  // The same in a form: %00 decodes to a NUL; a raw one is refused too.
  for (const body of ['email=e%40example.com&name=Na%00me', 'email=e%40example.com&name=Na\u0000me', 'email=e%40example.com&na\u0000me=Zed']) {
    const r = await client.lead(Buffer.from(body), { contentType: FORM });
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
  }

  assert.deepEqual(await client.listAll('/api/v1/leads'), []);
  assert.deepEqual(await client.listAll('/api/v1/webhooks'), []);
  await srv.stop();
});

test('an escaped backslash before u0000 is text, kept whole', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'nul-json-text' });
  t.after(() => srv.cleanup());
  const client = api(srv);

  const text = '"C:\\\\u0000"';
  const r = await client.lead(`{"email":"f@example.com","name":${text},"fields":{"p":${text}}}`);
  assert.equal(r.status, 201, r.text);
  const [lead] = await client.listAll('/api/v1/leads');
  assert.equal(lead.name, 'C:\\u0000');
  assert.equal(lead.fields.p, 'C:\\u0000');
  await srv.stop();
});

test('%00 in a path matches no object; in a query it is not cut off', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'nul-path' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const hook = await client.createEndpoint('http://127.0.0.1:9/hook');

  assert.equal((await client.get(`/api/v1/webhooks/${hook.id}`)).status, 200);
  for (const suffix of ['%00', '%00junk']) {
    const path = `/api/v1/webhooks/${hook.id}${suffix}`;
    assert.equal((await client.get(path)).status, 404, path);
    assert.equal((await client.patch(path, { description: 'x' })).status, 404, path);
    assert.equal((await client.del(path)).status, 404, path);
  }
  const [still] = await client.listAll('/api/v1/webhooks');
  assert.equal(still.id, hook.id);
  assert.equal(still.description, '');

  const lead = await request('POST', `${srv.url}/widget/v1/${srv.widgetKey}%00/leads`, {
    body: { email: 'g@example.com' },
  });
  assert.equal(lead.status, 404, lead.text);
  assert.deepEqual(await client.listAll('/api/v1/leads'), []);

  // A query value keeps what follows %00, so it fails its check whole.
  const q = await client.get('/api/v1/leads?limit=5%00junk');
  assert.equal(q.status, 400, q.text);
  assert.match(q.json.error.message, /limit/);
  // Other escapes still decode: %35 is "5".
  assert.equal((await client.get('/api/v1/leads?limit=%35')).status, 200);
  await srv.stop();
});

// A known limit (the XXX at http_req_header, src/http/server.c):
// libmicrohttpd 0.9.75 ends the request line and each header value at a
// raw NUL byte and hands over only what comes before it, sizes included,
// so the service cannot tell. Passes once the library, or a proxy in
// front, refuses such requests.
test('raw NUL bytes in the request line or a header are refused', {
  timeout: 60000,
  todo: 'libmicrohttpd 0.9.75 cuts them off before the service sees them',
}, async (t) => {
  const srv = await startServer({ label: 'nul-raw' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const hook = await client.createEndpoint('http://127.0.0.1:9/hook');
  const auth = `Authorization: Bearer ${srv.token}`;

  assert.equal(await rawStatus(srv, `GET /api/v1/webhooks HTTP/1.1\r\nHost: x\r\n${auth}\r\nConnection: close\r\n\r\n`), 200);
  assert.equal(await rawStatus(srv, `GET /api/v1/webhooks HTTP/1.1\r\nHost: x\r\n${auth}\0junk\r\nConnection: close\r\n\r\n`), 400);
  assert.notEqual(await rawStatus(srv, `GET /api/v1/webhooks/${hook.id}\0junk HTTP/1.1\r\nHost: x\r\n${auth}\r\nConnection: close\r\n\r\n`), 200);
  await srv.stop();
});

test('paths that match no route log no widget key', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'nul-log' });
  t.after(() => srv.cleanup());
  const key = srv.widgetKey;
  const body = { email: 'h@example.com' };

  const tries = [
    ['POST', `/widget/v1/${key}`, 404],
    ['GET', `/widget/v1/${key}/leads`, 405],
    ['POST', `/widget/v1/${key}/leads/`, 404],
    ['POST', `//widget/v1//${key}/leads`, 404],
    ['POST', `/Widget/V1/${key}/leads`, 404],
    ['GET', `/demo/${key}/more`, 404],
    ['POST', `/demo/${key}`, 405],
  ];
  for (const [method, path, status] of tries) {
    const r = await request(method, `${srv.url}${path}`, { body: method === 'POST' ? body : undefined });
    assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
  }
  await srv.stop();

  const log = srv.logText();
  assert.ok(!log.includes(key), 'the log holds the widget key');
  assert.ok(!log.includes(key.slice(-16)), 'the log holds part of the widget key');
  assert.match(log, /method=POST path=\/widget\/v1\/\{widget_key\} status=404 /);
  assert.match(log, /method=GET path=\/widget\/v1\/\{widget_key\}\/leads status=405 /);
  assert.match(log, /method=POST path=\/\/widget\/v1\/\/\{widget_key\}\/leads status=404 /);
});

test('a chunked body past its limit gets a JSON 413 when it ends, or is cut off far past it', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'nul-chunked' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const chunked = (token) => ({
    chunked: true,
    headers: {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
  });
  const big = Buffer.alloc(5 * 1024 * 1024, 'a');

  let r = await request('POST', `${srv.url}/api/v1/webhooks`, { body: big, ...chunked(srv.token) });
  assert.equal(r.status, 413, r.text);
  assert.equal(r.json.error.code, 'too_large');
  r = await request('POST', `${srv.url}/widget/v1/${srv.widgetKey}/leads`, { body: big, ...chunked() });
  assert.equal(r.status, 413, r.text);
  assert.equal(r.json.error.code, 'too_large');

  assert.deepEqual(await client.listAll('/api/v1/webhooks'), []);
  assert.deepEqual(await client.listAll('/api/v1/leads'), []);
  assert.doesNotMatch(srv.logText(), /internal error|http\.aborted/);

  // The 413 comes once the body ends; one that goes on and on past its
  // limit is cut off instead, and the log says why.
  const endless = Buffer.alloc(20 * 1024 * 1024, 'a');
  await assert.rejects(request('POST', `${srv.url}/api/v1/webhooks`, { body: endless, ...chunked(srv.token) }));
  assert.equal((await client.get('/healthz', { token: null })).status, 200);
  await srv.stop();
  assert.match(srv.logText(), /event=http\.body_cut_off limit=65536 read=\d+/);
});
