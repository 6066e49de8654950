'use strict';
// The public widget endpoint: every bad input gets its status and a clear
// error and changes nothing; limits count characters and are inclusive;
// CORS on every answer; the urlencoded form works like JSON.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { api } = require('./lib/api');
const { withEndpoint } = require('./lib/setup');

const OK_EMAIL = 'visitor@example.com';

// An address of exactly n characters, with a valid shape (labels <= 63).
function emailOfLength(n) {
  const local = 'a'.repeat(60);
  let domainLen = n - local.length - 1 - 4; // "@" and ".com"
  const labels = [];
  while (domainLen > 0) {
    const len = Math.min(63, domainLen);
    labels.push('b'.repeat(len === domainLen || domainLen - len > 1 ? len : len - 1));
    domainLen -= labels[labels.length - 1].length + 1; // the dot after it
  }
  const email = `${local}@${labels.join('.')}.com`;
  assert.equal(email.length, n, `emailOfLength(${n}) made ${email.length}`);
  return email;
}

function manyFields(n, value = 'v') {
  const f = {};
  for (let i = 0; i < n; i++) f[`key${i}`] = value;
  return f;
}

const json = (o) => Buffer.from(JSON.stringify(o), 'utf8');
const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

// [label, body (object => JSON, else raw bytes), contentType, status, field]
// field: the per-field error that a 422 must name.
const BAD = [
  // 413 past 64 KiB, with a Content-Length and without one (chunked).
  ['body past 64 KiB', json({ email: OK_EMAIL, message: 'a'.repeat(70 * 1024) }), 'application/json', 413],
  ['body past 64 KiB, chunked', json({ email: OK_EMAIL, message: 'a'.repeat(70 * 1024) }), 'application/json', 413, null, { chunked: true }],
  ['form body past 64 KiB', Buffer.from(`email=${encodeURIComponent(OK_EMAIL)}&message=${'a'.repeat(70 * 1024)}`), 'application/x-www-form-urlencoded', 413],
  // 400 malformed.
  ['truncated JSON', Buffer.from(`{"email": "${OK_EMAIL}"`), 'application/json', 400],
  ['not JSON at all', Buffer.from('email=visitor@example.com'), 'application/json', 400],
  ['empty body', Buffer.alloc(0), 'application/json', 400],
  ['a JSON array', Buffer.from(`["${OK_EMAIL}"]`), 'application/json', 400],
  ['a JSON string', Buffer.from(`"${OK_EMAIL}"`), 'application/json', 400],
  // 400 invalid UTF-8, wherever it hides.
  ['invalid UTF-8 in name', bytes(`{"email":"${OK_EMAIL}","name":"Zo`, [0xff, 0xfe], `"}`), 'application/json', 400],
  ['overlong UTF-8 in message', bytes(`{"email":"${OK_EMAIL}","message":"a`, [0xc0, 0xaf], `"}`), 'application/json', 400],
  ['UTF-8-encoded surrogate in company', bytes(`{"email":"${OK_EMAIL}","company":"`, [0xed, 0xa0, 0x80], `"}`), 'application/json', 400],
  ['truncated UTF-8 sequence in phone', bytes(`{"email":"${OK_EMAIL}","phone":"`, [0xe2, 0x82], `"}`), 'application/json', 400],
  ['invalid UTF-8 in a custom field key', bytes(`{"email":"${OK_EMAIL}","fields":{"`, [0xff], `":"x"}}`), 'application/json', 400],
  ['invalid UTF-8 in a custom field value', bytes(`{"email":"${OK_EMAIL}","fields":{"k":"`, [0xfe], `"}}`), 'application/json', 400],
  ['invalid UTF-8 in the e-mail', bytes(`{"email":"vis`, [0xff], `itor@example.com"}`), 'application/json', 400],
  ['invalid UTF-8 in a form value', Buffer.from(`email=${encodeURIComponent(OK_EMAIL)}&name=Zo%FF`), 'application/x-www-form-urlencoded', 400],
  ['invalid UTF-8 in a form custom field', Buffer.from(`email=${encodeURIComponent(OK_EMAIL)}&fields%5Bk%5D=%C0%AF`), 'application/x-www-form-urlencoded', 400],
  // 415 other content types.
  ['text/plain', json({ email: OK_EMAIL }), 'text/plain', 415],
  ['no Content-Type', json({ email: OK_EMAIL }), null, 415],
  ['multipart/form-data', Buffer.from('--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nvisitor@example.com\r\n--x--\r\n'), 'multipart/form-data; boundary=x', 415],
  ['application/xml', Buffer.from('<lead><email>visitor@example.com</email></lead>'), 'application/xml', 415],
  ['application/jsonp (a prefix of nothing)', json({ email: OK_EMAIL }), 'application/jsonp', 415],
  // 422 with per-field errors.
  ['missing e-mail', { name: 'No Mail' }, undefined, 422, 'email'],
  ['empty object', {}, undefined, 422, 'email'],
  ['empty e-mail', { email: '' }, undefined, 422, 'email'],
  ['e-mail without @', { email: 'visitor.example.com' }, undefined, 422, 'email'],
  ['e-mail with two @', { email: 'a@b@example.com' }, undefined, 422, 'email'],
  ['e-mail without a dot in the domain', { email: 'visitor@localhost' }, undefined, 422, 'email'],
  ['e-mail with a space inside', { email: 'vis itor@example.com' }, undefined, 422, 'email'],
  ['e-mail over 254 characters', { email: emailOfLength(255) }, undefined, 422, 'email'],
  ['e-mail as a number', { email: 42 }, undefined, 422, 'email'],
  ['name over 200 characters', { email: OK_EMAIL, name: 'é'.repeat(201) }, undefined, 422, 'name'],
  ['company over 200 characters', { email: OK_EMAIL, company: 'c'.repeat(201) }, undefined, 422, 'company'],
  ['phone over 50 characters', { email: OK_EMAIL, phone: '1'.repeat(51) }, undefined, 422, 'phone'],
  ['message over 5000 characters', { email: OK_EMAIL, message: 'm'.repeat(5001) }, undefined, 422, 'message'],
  ['page_url over 2048 characters', { email: OK_EMAIL, page_url: `https://acme.example/${'p'.repeat(2049 - 21)}` }, undefined, 422, 'page_url'],
  ['51 custom fields', { email: OK_EMAIL, fields: manyFields(51) }, undefined, 422, 'fields'],
  ['custom key over 64 characters', { email: OK_EMAIL, fields: { ['k'.repeat(65)]: 'v' } }, undefined, 422, 'fields'],
  ['empty custom key', { email: OK_EMAIL, fields: { '': 'v' } }, undefined, 422, 'fields'],
  ['custom value over 1000 characters', { email: OK_EMAIL, fields: { k: 'v'.repeat(1001) } }, undefined, 422, 'fields'],
  ['name as a number', { email: OK_EMAIL, name: 123 }, undefined, 422, 'name'],
  ['message as a boolean', { email: OK_EMAIL, message: true }, undefined, 422, 'message'],
  ['company as an object', { email: OK_EMAIL, company: { a: 1 } }, undefined, 422, 'company'],
  ['phone as an array', { email: OK_EMAIL, phone: ['1'] }, undefined, 422, 'phone'],
  ['page_url as a number', { email: OK_EMAIL, page_url: 1 }, undefined, 422, 'page_url'],
  ['fields as a string', { email: OK_EMAIL, fields: 'budget=5k' }, undefined, 422, 'fields'],
  ['fields as an array', { email: OK_EMAIL, fields: ['5k'] }, undefined, 422, 'fields'],
  ['a custom value that is an object', { email: OK_EMAIL, fields: { budget: { min: 5 } } }, undefined, 422, 'fields'],
  ['a custom value that is an array', { email: OK_EMAIL, fields: { budget: ['5k'] } }, undefined, 422, 'fields'],
  ['51 custom fields in a form', Buffer.from(`email=${encodeURIComponent(OK_EMAIL)}&${Array.from({ length: 51 }, (_, i) => `fields%5Bk${i}%5D=v`).join('&')}`), 'application/x-www-form-urlencoded', 422, 'fields'],
  ['a form without e-mail', Buffer.from('name=Dana'), 'application/x-www-form-urlencoded', 422, 'email'],
  ['a form name over 200 characters', Buffer.from(`email=${encodeURIComponent(OK_EMAIL)}&name=${'n'.repeat(201)}`), 'application/x-www-form-urlencoded', 422, 'name'],
];

test('every bad input of the widget endpoint gets its status, CORS, and stores nothing', { timeout: 120000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'widget-bad' });

  for (const [label, body, contentType, status, field, opts = {}] of BAD) {
    await t.test(`${status}: ${label}`, async () => {
      const r = await client.lead(body, { contentType, ...opts });
      assert.equal(r.status, status, `${label}: expected ${status}, got ${r.status} ${r.text.slice(0, 300)}`);
      assert.equal(r.headers['access-control-allow-origin'] !== undefined, true, `${label}: no Access-Control-Allow-Origin on a ${r.status}`);
      assert.ok(r.json && r.json.error, `${label}: no {"error": ...} body: ${r.text.slice(0, 300)}`);
      assert.equal(typeof r.json.error.code, 'string');
      assert.equal(typeof r.json.error.message, 'string');
      assert.ok(r.json.error.message.length > 0);
      if (field) {
        assert.ok(r.json.error.fields && typeof r.json.error.fields[field] === 'string',
          `${label}: a 422 must name the field "${field}": ${r.text.slice(0, 300)}`);
      }
      assert.equal(await client.leadCount(), 0, `${label}: a lead was stored`);
    });
  }

  await t.test('422 names every bad field at once', async () => {
    const r = await client.lead({ email: 'nope', name: 5, phone: '9'.repeat(51), fields: { k: 'v'.repeat(1001) } });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(Object.keys(r.json.error.fields).sort(), ['email', 'fields', 'name', 'phone']);
  });

  await t.test('404: an unknown widget key', async () => {
    const r = await client.lead({ email: OK_EMAIL }, { key: 'wk_doesnotexist0000000000' });
    assert.equal(r.status, 404, r.text);
    assert.ok(r.headers['access-control-allow-origin'], 'no Access-Control-Allow-Origin on the 404');
    assert.equal(r.json.error.code, 'not_found');
  });

  await t.test('nothing was stored and nothing was sent', async () => {
    assert.equal(await client.leadCount(), 0);
    assert.deepEqual(await client.deliveries(endpoint.id), []);
    assert.equal(rcv.requests.length, 0);
  });
  await srv.stop();
});

test('limits count characters, not bytes, and are inclusive; the body may be exactly 64 KiB', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'widget-limits' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  let n = 0;
  const email = () => `limit${++n}@example.com`;

  const atLimit = {
    name: 'é'.repeat(200),
    company: '€'.repeat(200),
    phone: 'ü'.repeat(50),
    message: 'ß'.repeat(5000),
    page_url: `https://acme.example/${'ö'.repeat(2048 - 21)}`,
    // 50 custom fields, one with a 64-character key, one with a
    // 1000-character value (more would not fit in 64 KiB).
    fields: { ...manyFields(48), ['ñ'.repeat(64)]: 'x', long: 'ä'.repeat(1000) },
  };
  assert.equal([...atLimit.page_url].length, 2048);
  const r = await client.lead({ email: email(), ...atLimit });
  assert.equal(r.status, 201, `a lead at every limit was refused: ${r.text.slice(0, 500)}`);

  const longEmail = emailOfLength(254);
  const r2 = await client.lead({ email: longEmail });
  assert.equal(r2.status, 201, `a 254-character e-mail was refused: ${r2.text}`);

  // A body of exactly 65536 bytes (whitespace padding inside the object).
  const head = `{"email":"${email()}",`;
  const tail = '"name":"Exactly 64 KiB"}';
  const exact = Buffer.from(head + ' '.repeat(65536 - head.length - tail.length) + tail);
  assert.equal(exact.length, 65536);
  const r3 = await client.lead(exact, { contentType: 'application/json' });
  assert.equal(r3.status, 201, `a body of exactly 64 KiB was refused: ${r3.status} ${r3.text}`);
  const over = Buffer.from(head + ' '.repeat(65537 - head.length - tail.length) + tail);
  const r4 = await client.lead(over, { contentType: 'application/json' });
  assert.equal(r4.status, 413, `a body of 64 KiB + 1 byte got ${r4.status}`);

  // A charset parameter on the content type is fine.
  const r5 = await client.lead({ email: email() }, { contentType: 'application/json; charset=utf-8' });
  assert.equal(r5.status, 201, r5.text);

  const leads = await client.listAll('/api/v1/leads');
  assert.equal(leads.length, 4);
  const stored = leads.find((l) => l.id === r.json.id);
  for (const k of ['name', 'company', 'phone', 'message', 'page_url']) assert.equal(stored[k], atLimit[k], `${k} was changed`);
  assert.deepEqual(stored.fields, atLimit.fields);
  assert.equal(leads.find((l) => l.id === r2.json.id).email, longEmail);
  await srv.stop();
});

test('CORS: the preflight allows Content-Type and Idempotency-Key; answers carry Access-Control-Allow-Origin', { timeout: 60000 }, async (t) => {
  const { request } = require('./lib/http');
  const srv = await startServer({ label: 'widget-cors' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const path = `/widget/v1/${srv.widgetKey}/leads`;

  const pre = await request('OPTIONS', `${srv.url}${path}`, {
    headers: {
      Origin: 'https://customer.example',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,idempotency-key',
    },
  });
  assert.ok(pre.status === 200 || pre.status === 204, `preflight answered ${pre.status}`);
  assert.ok(pre.headers['access-control-allow-origin'], 'the preflight has no Access-Control-Allow-Origin');
  const allowHeaders = (pre.headers['access-control-allow-headers'] || '').toLowerCase().split(/\s*,\s*/);
  assert.ok(allowHeaders.includes('content-type'), `Allow-Headers lacks Content-Type: ${pre.headers['access-control-allow-headers']}`);
  assert.ok(allowHeaders.includes('idempotency-key'), `Allow-Headers lacks Idempotency-Key: ${pre.headers['access-control-allow-headers']}`);
  const allowMethods = (pre.headers['access-control-allow-methods'] || '').toUpperCase();
  assert.match(allowMethods, /\bPOST\b/);

  const ok = await client.lead({ email: OK_EMAIL }, { headers: { Origin: 'https://customer.example' } });
  assert.equal(ok.status, 201);
  assert.ok(ok.headers['access-control-allow-origin'], 'the 201 has no Access-Control-Allow-Origin');
  const again = await client.lead({ email: OK_EMAIL }, { headers: { Origin: 'https://customer.example' } });
  assert.equal(again.status, 200);
  assert.ok(again.headers['access-control-allow-origin'], 'the 200 has no Access-Control-Allow-Origin');
  await srv.stop();
});

test('the urlencoded form (fields[budget]=5k) is stored and sent exactly like the same lead in JSON', { timeout: 60000 }, async (t) => {
  const { srv, rcv, client, endpoint } = await withEndpoint(t, { label: 'widget-form' });

  const lead = {
    name: 'Dana Ünal & "Co" <x>',
    phone: '+1 555 0100',
    company: 'Acme Größe',
    message: 'Pricing for 20 seats?\nThanks 🙏',
    page_url: 'https://acme.example/pricing?a=1&b=2',
    fields: { budget: '5k', 'größe': 'groß & <klein>', plan: 'pro plus' },
  };
  const form = new URLSearchParams();
  form.append('email', 'Form@Example.com');
  for (const k of ['name', 'phone', 'company', 'message', 'page_url']) form.append(k, lead[k]);
  for (const [k, v] of Object.entries(lead.fields)) form.append(`fields[${k}]`, v);
  // URLSearchParams encodes spaces as "+", brackets as %5B %5D; also send
  // one custom field with literal brackets, as a plain HTML form may.
  const body = `${form.toString()}&fields[team]=sales+team`;
  const viaForm = await client.lead(Buffer.from(body), { contentType: 'application/x-www-form-urlencoded; charset=UTF-8' });
  assert.equal(viaForm.status, 201, viaForm.text);
  assert.ok(viaForm.headers['access-control-allow-origin']);

  const viaJson = await client.lead({ email: 'json@example.com', ...lead, fields: { ...lead.fields, team: 'sales team' } });
  assert.equal(viaJson.status, 201, viaJson.text);

  const reqs = await rcv.waitFor(2);
  const byLead = new Map(reqs.map((r) => [r.json.data.lead_id, r]));
  const f = byLead.get(viaForm.json.id);
  const j = byLead.get(viaJson.json.id);
  assert.ok(f && j, 'both leads must be delivered');
  rcv.assertVerified(f);
  assert.equal(f.json.data.email, 'form@example.com');
  assert.equal(f.json.data.fields.budget, '5k');
  const strip = (d) => ({ ...d, lead_id: undefined, email: undefined });
  assert.deepEqual(strip(f.json.data), strip(j.json.data), 'the form lead differs from the JSON lead');

  const leads = await client.listAll('/api/v1/leads');
  const stored = leads.find((l) => l.id === viaForm.json.id);
  assert.deepEqual(stored.fields, { ...lead.fields, team: 'sales team' });
  assert.equal(stored.message, lead.message);
  await srv.stop();
});
