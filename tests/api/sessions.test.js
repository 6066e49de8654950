'use strict';
// Sign-in sessions (docs/api.md "Sessions"): the cookie and its
// attributes, GET/PUT/DELETE /api/v1/session, CSRF on cookie changes,
// session fixation, idle expiry, sign-out ending the session on the
// server, the brute-force limits per account and per address, and the
// same answer for a wrong e-mail and a wrong password.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');
const { request } = require('./lib/http');
const { cli } = require('./lib/cli');
const { sleep } = require('./lib/wait');
const { COOKIE, signIn, signInOk, sessionClient, setCookie } = require('./lib/session');

async function server(t, label, env) {
  const srv = await startServer({ label, env });
  t.after(() => srv.cleanup());
  assert.ok(srv.ownerEmail && srv.ownerPassword, 'the first-start banner shows no Owner sign-in');
  return srv;
}

function assertError(r, status, code, what) {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status} ${r.text}`);
  assert.equal(r.json && r.json.error && r.json.error.code, code, `${what}: error code: ${r.text}`);
}

// A cookie's state: the session as GET /api/v1/session answers it.
function whoami(srv, cookie) {
  return request('GET', `${srv.url}/api/v1/session`, { headers: { Cookie: `${COOKIE}=${cookie}` } });
}

// What a cookie change could have altered, seen with the Owner's token.
async function state(client) {
  return {
    webhooks: await client.listAll('/api/v1/webhooks'),
    tokens: (await client.get('/api/v1/tokens')).json.data.map(({ last_used_at: _u, ...t }) => t),
    members: (await client.get('/api/v1/members')).json.data,
    audit: await client.listAll('/api/v1/audit-log'),
  };
}

test('sign-in: 200 with the session object and an HttpOnly, SameSite=Lax, Path=/ cookie, not Secure over http', { timeout: 60000 }, async (t) => {
  const srv = await server(t, 'sess-signin');
  const s = await signIn(srv, srv.ownerEmail, srv.ownerPassword);
  assert.equal(s.r.status, 200, s.r.text);
  const body = s.r.json;
  assert.match(body.user.id, /^usr_/);
  assert.equal(body.user.email, srv.ownerEmail);
  assert.ok('name' in body.user, `user has no name key: ${s.r.text}`);
  assert.match(body.workspace.id, /^ws_/);
  assert.equal(typeof body.workspace.name, 'string');
  assert.equal(body.role, 'owner');
  assert.deepEqual(body.workspaces, [{ id: body.workspace.id, name: body.workspace.name, role: 'owner' }]);
  assert.equal(typeof body.csrf_token, 'string');
  assert.ok(body.csrf_token.length >= 16, `a short CSRF token: ${body.csrf_token}`);

  assert.ok(s.set, `no ${COOKIE} cookie: ${JSON.stringify(s.r.headers['set-cookie'])}`);
  assert.ok(s.cookie.length >= 32, `a short session cookie: ${s.set.raw}`);
  assert.equal(s.set.attrs.httponly, true, `not HttpOnly: ${s.set.raw}`);
  assert.equal(String(s.set.attrs.samesite).toLowerCase(), 'lax', `not SameSite=Lax: ${s.set.raw}`);
  assert.equal(s.set.attrs.path, '/', `not Path=/: ${s.set.raw}`);
  assert.ok(!('secure' in s.set.attrs), `Secure over http would never be sent back: ${s.set.raw}`);
  assert.ok(!s.r.text.includes(s.cookie), 'the session cookie is readable in the JSON body');
  assert.notEqual(body.csrf_token, s.cookie, 'the CSRF token is the session cookie');

  // GET answers the same object, for that cookie only.
  const g = await whoami(srv, s.cookie);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json, body);
  assertError(await request('GET', `${srv.url}/api/v1/session`), 401, 'unauthenticated', 'GET session without a cookie');
  assertError(await whoami(srv, `${s.cookie.slice(0, -2)}xx`), 401, 'unauthenticated', 'GET session with an altered cookie');
  assertError(await whoami(srv, 'pbs_made-up'), 401, 'unauthenticated', 'GET session with a made-up cookie');

  // The e-mail is matched as addresses are stored: trimmed, any case.
  const loose = await signIn(srv, `  ${srv.ownerEmail.toUpperCase()} `, srv.ownerPassword);
  assert.equal(loose.r.status, 200, `signing in with the e-mail in capitals: ${loose.r.text}`);
  assert.equal(loose.r.json.user.id, body.user.id);

  // The cookie acts as its user in its workspace.
  const who = await sessionClient(srv, s).get('/api/v1/members');
  assert.equal(who.status, 200, who.text);
  assert.ok(who.json.data.some((m) => m.user_id === body.user.id && m.role === 'owner'));
  await srv.stop();
});

test('the cookie is Secure when PITCHBAR_BASE_URL is https', { timeout: 60000 }, async (t) => {
  const srv = await server(t, 'sess-secure', { PITCHBAR_BASE_URL: 'https://pitchbar.example' });
  const s = await signIn(srv, srv.ownerEmail, srv.ownerPassword);
  assert.equal(s.r.status, 200, s.r.text);
  assert.equal(s.set.attrs.secure, true, `not Secure with an https base URL: ${s.set.raw}`);
  assert.equal(s.set.attrs.httponly, true, s.set.raw);
  assert.equal(String(s.set.attrs.samesite).toLowerCase(), 'lax', s.set.raw);
  assert.equal(s.set.attrs.path, '/', s.set.raw);
  await srv.stop();
});

test('CSRF: a cookie change without X-CSRF-Token or with a wrong one is 403 "csrf" and changes nothing; the right one works; bearer needs none', { timeout: 60000 }, async (t) => {
  const srv = await server(t, 'sess-csrf');
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const client = api(srv);
  const existing = await client.createEndpoint(rcv.url('/existing'));
  const s = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);
  const other = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);
  const cookie = sessionClient(srv, s);
  const before = await state(client);

  const wrongs = [
    ['none', null],
    ['empty', ''],
    ['wrong', 'x'.repeat(s.csrf.length)],
    ['altered', `${s.csrf.slice(0, -1)}${s.csrf.endsWith('0') ? '1' : '0'}`],
    ["another session's", other.csrf],
    ['the cookie itself', s.cookie],
  ];
  assert.notEqual(other.csrf, s.csrf, 'two sessions share a CSRF token');
  for (const [label, csrf] of wrongs) {
    const what = (m, p) => `${m} ${p} with ${label} X-CSRF-Token`;
    const calls = [
      ['POST', '/api/v1/webhooks', () => cookie.post('/api/v1/webhooks', { url: rcv.url('/new'), events: ['lead.captured'] }, { csrf })],
      ['PATCH', `/api/v1/webhooks/${existing.id}`, () => cookie.patch(`/api/v1/webhooks/${existing.id}`, { description: 'changed' }, { csrf })],
      ['DELETE', `/api/v1/webhooks/${existing.id}`, () => cookie.del(`/api/v1/webhooks/${existing.id}`, { csrf })],
      ['POST', `/api/v1/webhooks/${existing.id}/rotate-secret`, () => cookie.post(`/api/v1/webhooks/${existing.id}/rotate-secret`, undefined, { csrf })],
      ['POST', '/api/v1/tokens', () => cookie.post('/api/v1/tokens', { name: 'csrf' }, { csrf })],
      ['POST', '/api/v1/members', () => cookie.post('/api/v1/members', { email: 'csrf@example.com', role: 'admin' }, { csrf })],
      ['PUT', '/api/v1/session', () => cookie.put('/api/v1/session', { workspace_id: s.json.workspace.id }, { csrf })],
      ['DELETE', '/api/v1/session', () => cookie.del('/api/v1/session', { csrf })],
    ];
    for (const [m, p, call] of calls) {
      const r = await call();
      assertError(r, 403, 'csrf', what(m, p));
      assert.equal(typeof r.json.error.message, 'string');
    }
  }
  assert.deepEqual(await state(client), before, 'a change refused for its CSRF token changed something');
  assert.equal(rcv.requests.length, 0);
  // The refused sign-out did not end the session.
  assert.equal((await whoami(srv, s.cookie)).status, 200, 'a sign-out without the CSRF token ended the session');

  // Reads need no CSRF token.
  const read = await cookie.get('/api/v1/webhooks');
  assert.equal(read.status, 200, read.text);

  // With the right one, the same changes work.
  const made = await cookie.post('/api/v1/webhooks', { url: rcv.url('/new'), events: ['lead.captured'] });
  assert.equal(made.status, 201, made.text);
  const patched = await cookie.patch(`/api/v1/webhooks/${existing.id}`, { description: 'changed' });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.description, 'changed');
  const tok = await cookie.post('/api/v1/tokens', { name: 'with csrf' });
  assert.equal(tok.status, 201, tok.text);
  const [newest] = await client.listAll('/api/v1/audit-log');
  assert.equal(newest.actor.user_id, s.json.user.id, `the cookie change is not recorded as its user: ${JSON.stringify(newest)}`);

  // A bearer token needs none.
  const bearer = await client.post('/api/v1/webhooks', { url: rcv.url('/bearer'), events: ['lead.captured'] });
  assert.equal(bearer.status, 201, bearer.text);
  const bearerPatch = await client.patch(`/api/v1/webhooks/${bearer.json.id}`, { description: 'by token' });
  assert.equal(bearerPatch.status, 200, bearerPatch.text);
  const bearerDelete = await client.del(`/api/v1/webhooks/${bearer.json.id}`);
  assert.equal(bearerDelete.status, 204, bearerDelete.text);
  await srv.stop();
});

test('session fixation: a session cookie sent to sign-in is never kept', { timeout: 60000 }, async (t) => {
  const srv = await server(t, 'sess-fixation');
  const first = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);

  // Signing in again with the first cookie: a new cookie; the old one ends.
  const second = await signIn(srv, srv.ownerEmail, srv.ownerPassword, { cookie: first.cookie });
  assert.equal(second.r.status, 200, second.r.text);
  assert.ok(second.cookie, 'no new cookie');
  assert.notEqual(second.cookie, first.cookie, 'the session sent along was kept');
  assert.notEqual(second.csrf, first.csrf);
  assertError(await whoami(srv, first.cookie), 401, 'unauthenticated', 'the cookie sent to sign-in');
  assert.equal((await whoami(srv, second.cookie)).status, 200);

  // A cookie planted by an attacker is not adopted either.
  const planted = `pbs_${'A'.repeat(43)}`;
  const third = await signIn(srv, srv.ownerEmail, srv.ownerPassword, { cookie: planted });
  assert.equal(third.r.status, 200, third.r.text);
  assert.notEqual(third.cookie, planted, 'the planted session id was adopted');
  assertError(await whoami(srv, planted), 401, 'unauthenticated', 'the planted cookie');
  assert.equal((await whoami(srv, third.cookie)).status, 200);
  await srv.stop();
});

test('expiry: a session unused for PITCHBAR_SESSION_IDLE_S ends; use keeps it alive', { timeout: 60000 }, async (t) => {
  const srv = await server(t, 'sess-expiry', { PITCHBAR_SESSION_IDLE_S: '2' });
  const s = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);
  // Used every 1.3 s, it outlives the 2 s idle limit (3.9 s in all).
  for (let i = 1; i <= 3; i++) {
    await sleep(1300);
    const r = await whoami(srv, s.cookie);
    assert.equal(r.status, 200, `use ${i} (${(i * 1.3).toFixed(1)} s after sign-in, 1.3 s after the last use): ${r.status} ${r.text}`);
  }
  // Idle for 3 s: gone, for reads and changes alike.
  await sleep(3000);
  assertError(await whoami(srv, s.cookie), 401, 'unauthenticated', 'GET session after 3 s idle');
  const change = await sessionClient(srv, s).post('/api/v1/tokens', { name: 'late' });
  assertError(change, 401, 'unauthenticated', 'a change after 3 s idle');
  // Signing in again works.
  const again = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);
  assert.equal((await whoami(srv, again.cookie)).status, 200);
  await srv.stop();
});

test('sign-out: 204, the cookie cleared, the session ended on the server (a replayed cookie gets 401)', { timeout: 60000 }, async (t) => {
  const srv = await server(t, 'sess-signout');
  const s = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);
  const keep = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);
  const cookie = sessionClient(srv, s);
  const tokensBefore = (await api(srv).get('/api/v1/tokens')).json.data.length;
  const out = await cookie.del('/api/v1/session');
  assert.equal(out.status, 204, out.text);
  const cleared = setCookie(out.headers);
  assert.ok(cleared, `sign-out does not clear the cookie: ${JSON.stringify(out.headers['set-cookie'])}`);
  assert.equal(cleared.value, '', `sign-out sets a value: ${cleared.raw}`);
  const expired = cleared.attrs['max-age'] === '0' || (cleared.attrs.expires && Date.parse(cleared.attrs.expires) < Date.now());
  assert.ok(expired, `the clearing cookie does not expire at once: ${cleared.raw}`);
  assert.equal(cleared.attrs.path, '/', cleared.raw);

  // Replayed, the old cookie is refused everywhere.
  assertError(await whoami(srv, s.cookie), 401, 'unauthenticated', 'GET session with the signed-out cookie');
  assertError(await cookie.get('/api/v1/webhooks'), 401, 'unauthenticated', 'a read with the signed-out cookie');
  assertError(await cookie.post('/api/v1/tokens', { name: 'replayed' }), 401, 'unauthenticated', 'a change with the signed-out cookie');
  assertError(await cookie.del('/api/v1/session'), 401, 'unauthenticated', 'signing out twice');
  assert.equal((await api(srv).get('/api/v1/tokens')).json.data.length, tokensBefore, 'the replayed change made a token');
  // Another session of the same user is not this one.
  assert.equal((await whoami(srv, keep.cookie)).status, 200);
  await srv.stop();
});

test('wrong e-mail and wrong password get the same 401 invalid_credentials; no cookie', { timeout: 60000 }, async (t) => {
  const srv = await server(t, 'sess-invalid');
  const badPassword = await signIn(srv, srv.ownerEmail, 'not-the-password');
  const badEmail = await signIn(srv, 'nobody@example.com', srv.ownerPassword);
  for (const [label, s] of [['wrong password', badPassword], ['wrong e-mail', badEmail]]) {
    assertError(s.r, 401, 'invalid_credentials', label);
    assert.equal(s.cookie, null, `${label}: a cookie was set`);
  }
  assert.deepEqual(badEmail.r.json, badPassword.r.json, 'the answers tell a wrong e-mail from a wrong password');
  assert.equal(badEmail.r.text, badPassword.r.text);
  await srv.stop();
});

test('brute force: 5 wrong passwords for one account, then 429 with Retry-After even with the right password', { timeout: 120000 }, async (t) => {
  const srv = await server(t, 'sess-brute');
  const ws = (await signInOk(srv, srv.ownerEmail, srv.ownerPassword)).json.workspace.id;
  await cli(srv).userAdd({ email: 'bystander@example.com', role: 'member', workspace: ws, password: 'bystander-pass' });

  // Four failures do not lock; a success starts the count again.
  for (let i = 0; i < 4; i++) assertError((await signIn(srv, srv.ownerEmail, `wrong-${i}`)).r, 401, 'invalid_credentials', `failure ${i + 1}`);
  assert.equal((await signIn(srv, srv.ownerEmail, srv.ownerPassword)).r.status, 200, 'four failures locked the account');

  for (let i = 0; i < 5; i++) assertError((await signIn(srv, srv.ownerEmail, `wrong-again-${i}`)).r, 401, 'invalid_credentials', `failure ${i + 1}`);
  for (const [label, email, password] of [
    ['the right password', srv.ownerEmail, srv.ownerPassword],
    ['a wrong password', srv.ownerEmail, 'wrong-6'],
    ['the right password, the e-mail in capitals and spaces', `  ${srv.ownerEmail.toUpperCase()} `, srv.ownerPassword],
  ]) {
    const s = await signIn(srv, email, password);
    assertError(s.r, 429, 'too_many_attempts', `after 5 failures, ${label}`);
    const wait = s.r.headers['retry-after'];
    assert.match(String(wait), /^[1-9][0-9]*$/, `Retry-After is not a positive number of seconds: ${wait}`);
    assert.ok(Number(wait) <= 24 * 3600, `Retry-After ${wait} s`);
    assert.equal(s.cookie, null, `${label}: a cookie was set while locked`);
  }
  // Another account from the same address is not locked.
  assert.equal((await signIn(srv, 'bystander@example.com', 'bystander-pass')).r.status, 200, 'locking one account locked another');
  await srv.stop();
});

test('brute force: 20 failures from one address across e-mails, then 429 for any account', { timeout: 120000 }, async (t) => {
  const srv = await server(t, 'sess-brute-addr');
  for (let i = 0; i < 19; i++) {
    assertError((await signIn(srv, `guess-${i}@example.com`, 'password')).r, 401, 'invalid_credentials', `failure ${i + 1}`);
  }
  assert.equal((await signIn(srv, srv.ownerEmail, srv.ownerPassword)).r.status, 200, '19 failures from the address locked it');
  assertError((await signIn(srv, 'guess-19@example.com', 'password')).r, 401, 'invalid_credentials', 'failure 20');
  // The Owner has no failure of their own; the address is locked.
  const s = await signIn(srv, srv.ownerEmail, srv.ownerPassword);
  assertError(s.r, 429, 'too_many_attempts', 'the right password after 20 failures from the address');
  assert.match(String(s.r.headers['retry-after']), /^[1-9][0-9]*$/, `Retry-After: ${s.r.headers['retry-after']}`);
  // A forwarding header from the client does not make another address.
  const forged = await signIn(srv, srv.ownerEmail, srv.ownerPassword, { headers: { 'X-Forwarded-For': '203.0.113.7', 'X-Real-IP': '203.0.113.7' } });
  assertError(forged.r, 429, 'too_many_attempts', 'with a forged X-Forwarded-For');
  await srv.stop();
});

test('PUT session moves to another workspace of the user (role follows); a foreign workspace is 404', { timeout: 60000 }, async (t) => {
  const srv = await server(t, 'sess-switch');
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  const client = api(srv);
  const endpointA = await client.createEndpoint(rcv.url('/a'));
  const c = cli(srv);
  const second = await c.init({ workspace: 'Second', email: 'second-owner@example.com', password: 'second-pass' });
  await c.userAdd({ email: srv.ownerEmail, role: 'member', workspace: second.workspace_id });
  const third = await c.init({ workspace: 'Third', email: 'third-owner@example.com', password: 'third-pass' });

  const s = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);
  const wsA = s.json.workspace.id;
  assert.equal(s.json.role, 'owner');
  assert.deepEqual(
    s.json.workspaces.map((w) => [w.id, w.role]).sort(),
    [[wsA, 'owner'], [second.workspace_id, 'member']].sort(),
    `workspaces: ${JSON.stringify(s.json.workspaces)}`,
  );
  assert.ok(!JSON.stringify(s.json).includes(third.workspace_id), 'a foreign workspace is listed');
  const cookie = sessionClient(srv, s);

  // Without the CSRF token: refused, not moved.
  assertError(await cookie.put('/api/v1/session', { workspace_id: second.workspace_id }, { csrf: null }), 403, 'csrf', 'PUT session without X-CSRF-Token');
  assert.equal((await whoami(srv, s.cookie)).json.workspace.id, wsA);

  const moved = await cookie.put('/api/v1/session', { workspace_id: second.workspace_id });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.workspace.id, second.workspace_id);
  assert.equal(moved.json.workspace.name, 'Second');
  assert.equal(moved.json.role, 'member');
  const now = await whoami(srv, s.cookie);
  assert.equal(now.json.workspace.id, second.workspace_id);
  assert.equal(now.json.role, 'member');
  // It acts there, as a Member.
  const list = await cookie.get('/api/v1/webhooks');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.data, [], `workspace A's endpoints show in Second: ${list.text}`);
  assertError(await cookie.get(`/api/v1/webhooks/${endpointA.id}`), 404, 'not_found', "A's endpoint from Second");
  const refused = await cookie.post('/api/v1/webhooks', { url: rcv.url('/second'), events: ['lead.captured'] });
  assertError(refused, 403, 'forbidden', 'a Member of Second creating an endpoint');

  // A workspace the user is not in: 404, and the session stays.
  for (const id of [third.workspace_id, 'ws_01M8YH8V7AH1ATFR4KAXMDE98X']) {
    assertError(await cookie.put('/api/v1/session', { workspace_id: id }), 404, 'not_found', `PUT session to ${id}`);
    const still = await whoami(srv, s.cookie);
    assert.equal(still.json.workspace.id, second.workspace_id);
    assert.equal(still.json.role, 'member');
  }

  // Back to A: Owner again.
  const back = await cookie.put('/api/v1/session', { workspace_id: wsA });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.role, 'owner');
  const made = await cookie.post('/api/v1/webhooks', { url: rcv.url('/a2'), events: ['lead.captured'] });
  assert.equal(made.status, 201, made.text);
  await srv.stop();
});

test('brute force in parallel: many wrong passwords at once still get at most 5 tries per account and 20 per address', { timeout: 120000 }, async (t) => {
  const srv = await server(t, 'sess-brute-parallel');
  const tally = (answers) => {
    const n = {};
    for (const s of answers) n[s.r.status] = (n[s.r.status] || 0) + 1;
    return n;
  };
  // 50 guesses for one account sent together: 5 may be checked, the rest 429.
  const account = await Promise.all(Array.from({ length: 50 }, (_, i) => signIn(srv, srv.ownerEmail, `parallel-${i}`)));
  const a = tally(account);
  assert.deepEqual(Object.keys(a).filter((s) => s !== '401' && s !== '429'), [], `unexpected answers: ${JSON.stringify(a)}`);
  assert.ok((a[401] || 0) <= 5, `50 parallel sign-ins for one account had ${a[401]} passwords checked (401) instead of at most 5: ${JSON.stringify(a)}`);
  assertError((await signIn(srv, srv.ownerEmail, srv.ownerPassword)).r, 429, 'too_many_attempts', 'the right password after the parallel guesses');

  // 40 guesses over as many e-mails sent together: 20 from this address in all.
  const address = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn(srv, `parallel-${i}@example.com`, 'password')));
  const b = tally(address);
  const checked = (a[401] || 0) + (b[401] || 0);
  assert.ok(checked <= 20, `${checked} passwords checked (401) from one address, more than 20: account wave ${JSON.stringify(a)}, address wave ${JSON.stringify(b)}`);
  await srv.stop();
});
