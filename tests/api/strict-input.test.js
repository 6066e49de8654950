'use strict';
// Every JSON body is read the same way: a key given twice in any object
// is refused (which one was meant cannot be known), and a member a route
// does not take is refused by name rather than ignored, so that a typo
// never passes for a change. Refused requests change nothing.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { api } = require('./lib/api');
const { cli } = require('./lib/cli');

const JSON_TYPE = { headers: { 'Content-Type': 'application/json' } };

function assertFieldError(r, field, message, what) {
  assert.equal(r.status, 422, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.json.error.code, 'invalid_fields', `${what}: ${r.text}`);
  assert.equal(r.json.error.fields[field], message, `${what}: ${r.text}`);
}

test('a key repeated in any object of a body is refused (422) on every route, and nothing changes', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'strict-repeated' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const ws = (await client.get('/api/v1/session')).json.workspace.id;
  const member = await cli(srv).userAdd({ email: 'm@example.com', role: 'member', workspace: ws, password: 'member-password' });
  const hook = await client.post('/api/v1/webhooks', { url: 'https://a.example/hook', events: ['lead.captured'] });
  assert.equal(hook.status, 201, hook.text);
  const flow = await client.post('/api/v1/workflows', { name: 'f', trigger: 'lead.captured', steps: [{ type: 'webhook', url: 'https://a.example/crm' }] });
  assert.equal(flow.status, 201, flow.text);

  const cases = [
    ['POST', '/api/v1/webhooks', '{"url":"https://a.example/1","url":"https://b.example/2","events":["lead.captured"]}', 'url', 'is given more than once'],
    ['PATCH', `/api/v1/webhooks/${hook.json.id}`, '{"description":"a","description":"b"}', 'description', 'is given more than once'],
    ['PATCH', `/api/v1/workflows/${flow.json.id}`, '{"name":"a","name":"b"}', 'name', 'is given more than once'],
    ['PATCH', `/api/v1/workflows/${flow.json.id}`, '{"steps":[{"type":"webhook","url":"https://a.example/1","url":"https://b.example/2"}]}', 'steps', 'each key may be given once'],
    ['PATCH', `/api/v1/members/${member.user_id}`, '{"role":"admin","role":"member"}', 'role', 'is given more than once'],
    ['POST', '/api/v1/tokens', '{"name":"a","name":"b"}', 'name', 'is given more than once'],
    ['POST', '/widget/v1/KEY/leads', '{"email":"a@example.com","email":"b@example.com"}', 'email', 'is given more than once'],
    ['POST', '/widget/v1/KEY/leads', '{"email":"a@example.com","fields":{"k":"1","k":"2"}}', 'fields', 'each key may be given once'],
  ];
  for (const [method, path, body, field, message] of cases) {
    const r = await client[method === 'POST' ? 'post' : 'patch'](path.replace('KEY', srv.widgetKey), body, JSON_TYPE);
    assertFieldError(r, field, message, `${method} ${path} ${body}`);
  }

  assert.equal((await client.get(`/api/v1/webhooks/${hook.json.id}`)).json.description, hook.json.description);
  assert.equal((await client.get(`/api/v1/workflows/${flow.json.id}`)).json.name, 'f');
  const members = (await client.get('/api/v1/members')).json.data;
  assert.equal(members.find((m) => m.user_id === member.user_id).role, 'member');
  assert.equal((await client.get('/api/v1/webhooks')).json.data.length, 1);
  assert.equal(await client.leadCount(), 0);
  await srv.stop();
});

test('members, tokens, sessions and webhook actions refuse members they do not take (422), and change nothing', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'strict-unknown' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const ws = (await client.get('/api/v1/session')).json.workspace.id;
  const member = await cli(srv).userAdd({ email: 'm@example.com', role: 'member', workspace: ws, password: 'member-password' });
  const hook = await client.post('/api/v1/webhooks', { url: 'https://a.example/hook', events: ['lead.captured'] });
  const id = hook.json.id;
  const since = new Date(Date.now() - 3600e3).toISOString();
  const tokensBefore = (await client.get('/api/v1/tokens')).json.data.length;

  const cases = [
    ['post', '/api/v1/members', { email: 'new@example.com', role: 'member', extra: 1 }, 'extra'],
    ['patch', `/api/v1/members/${member.user_id}`, { role: 'admin', email: 'x@example.com' }, 'email'],
    ['post', '/api/v1/tokens', { name: 'ci', role: 'owner' }, 'role'],
    ['post', '/api/v1/tokens', { name: 'ci', workspace_id: ws }, 'workspace_id'],
    ['post', '/api/v1/session', { email: 'owner@example.com', password: 'x', remember: true }, 'remember'],
    ['post', `/api/v1/webhooks/${id}/redeliver-failed`, { since, x: 1 }, 'x'],
    ['post', `/api/v1/webhooks/${id}/test`, { event: 'lead.captured' }, 'event'],
    ['post', `/api/v1/webhooks/${id}/rotate-secret`, { secret: 'whsec_mine' }, 'secret'],
  ];
  for (const [method, path, body, field] of cases) {
    const r = await client[method](path, body);
    assertFieldError(r, field, 'is not a field that can be set', `${method} ${path} ${JSON.stringify(body)}`);
  }
  // Without a body, or with {}, the actions still work.
  assert.equal((await client.post(`/api/v1/webhooks/${id}/test`)).status, 202);
  assert.equal((await client.post(`/api/v1/webhooks/${id}/test`, {})).status, 202);

  const members = (await client.get('/api/v1/members')).json.data;
  assert.equal(members.length, 2, 'a refused add made a member');
  assert.equal(members.find((m) => m.user_id === member.user_id).role, 'member');
  assert.equal((await client.get('/api/v1/tokens')).json.data.length, tokensBefore, 'a refused create made a token');
  assert.equal((await client.get(`/api/v1/webhooks/${id}`)).json.secret, hook.json.secret, 'a refused rotation rotated');
  await srv.stop();
});

test('custom fields: numbers kept with every digit, or refused when a double cannot hold them; a blank e-mail is missing', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'strict-numbers' });
  t.after(() => srv.cleanup());
  const client = api(srv);

  let r = await client.lead('{"email":"n@example.com","fields":{"a":9007199254740991,"b":0.1,"c":-12,"d":1000000000000000}}');
  assert.equal(r.status, 201, r.text);
  const [lead] = (await client.get('/api/v1/leads')).json.data;
  assert.deepEqual(lead.fields, { a: '9007199254740991', b: '0.1', c: '-12', d: '1000000000000000' });

  for (const n of ['9007199254740993', '12345678901234567890', '1e400', '1e21']) {
    r = await client.lead(`{"email":"big@example.com","fields":{"id":${n}}}`);
    assertFieldError(r, 'fields', 'numbers past 2^53 or out of range must be sent as strings', n);
  }
  r = await client.lead({ email: '   ' });
  assertFieldError(r, 'email', 'is required', 'a blank e-mail');
  assert.equal(await client.leadCount(), 1);
  await srv.stop();
});

test('the demo page of an unknown widget key is a 404', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'strict-demo' });
  t.after(() => srv.cleanup());
  const client = api(srv);
  const known = await client.get(`/demo/${srv.widgetKey}`, { token: null });
  assert.equal(known.status, 200);
  assert.match(known.headers['content-type'], /text\/html/);
  const unknown = await client.get('/demo/wk_nope', { token: null });
  assert.equal(unknown.status, 404, unknown.text);
  await srv.stop();
});
