'use strict';
// Accounts (docs/api.md "Members and roles", tokens, audit log,
// integrations): members listed, added (a new user's one-time password
// signs in), their roles changed and removed; what an Admin may not do
// to Owners; the last Owner; a removed member's credentials; API tokens
// (shown once, own only, revoked, last used); the audit log of every
// change; the integrations rows.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');
const { cli } = require('./lib/cli');
const { signIn, signInOk, sessionClient } = require('./lib/session');

const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function assertError(r, status, code, what) {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status} ${r.text}`);
  if (code) assert.equal(r.json && r.json.error && r.json.error.code, code, `${what}: error code: ${r.text}`);
}

/*
 * A server with workspace A: its Owner (banner token), an Admin and a
 * Member made with the CLI, each with a token and a password.
 * -> {srv, ws, owner, admin, member, c (cli)}; each principal
 * {userId, email, password, token, client (api with its token)}.
 */
async function workspace(t, label, env) {
  const srv = await startServer({ label, env });
  t.after(() => srv.cleanup());
  const s = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);
  const ws = s.json.workspace.id;
  const c = cli(srv);
  const ctx = { srv, ws, c };
  ctx.owner = { userId: s.json.user.id, email: srv.ownerEmail, password: srv.ownerPassword, token: srv.token, client: api(srv) };
  for (const role of ['admin', 'member']) {
    const email = `${role}@example.com`;
    const password = `${role}-password`;
    const added = await c.userAdd({ email, role, workspace: ws, password });
    const token = await c.tokenCreate({ email, workspace: ws });
    ctx[role] = { userId: added.user_id, email, password, token, client: withToken(srv, token) };
  }
  return ctx;
}

function withToken(srv, token) {
  return api({ ...srv, token });
}

async function members(client) {
  const r = await client.get('/api/v1/members');
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

const roleOf = (list, userId) => (list.find((m) => m.user_id === userId) || {}).role;

// ---------------------------------------------------------------------
// Members.

test('members: every role lists them; Owners and Admins add (a new user gets a one-time password that signs in), change roles and remove', { timeout: 90000 }, async (t) => {
  const { srv, ws, owner, admin, member, c } = await workspace(t, 'acc-members');

  // The list, for every role.
  for (const who of [owner, admin, member]) {
    const list = await members(who.client);
    assert.deepEqual(list.map((m) => m.role).sort(), ['admin', 'member', 'owner']);
    for (const m of list) {
      assert.deepEqual(Object.keys(m).sort(), ['created_at', 'email', 'name', 'role', 'user_id'], JSON.stringify(m));
      assert.match(m.user_id, /^usr_/);
      assert.match(m.created_at, RFC3339_MS);
    }
    assert.equal(list.find((m) => m.user_id === admin.userId).email, 'admin@example.com');
  }

  // Add: a new user, with a password shown once.
  const add = await owner.client.post('/api/v1/members', { email: 'new.person@example.com', role: 'member', name: 'New Person' });
  assert.equal(add.status, 201, add.text);
  assert.match(add.json.user_id, /^usr_/);
  assert.equal(add.json.email, 'new.person@example.com');
  assert.equal(add.json.name, 'New Person');
  assert.equal(add.json.role, 'member');
  assert.equal(typeof add.json.password, 'string');
  assert.ok(add.json.password.length >= 12, `a weak generated password: ${add.json.password}`);
  const listed = (await members(member.client)).find((m) => m.user_id === add.json.user_id);
  assert.ok(listed, 'the new member is not listed');
  assert.ok(!('password' in listed), 'the list shows a password');
  const s = await signIn(srv, 'new.person@example.com', add.json.password);
  assert.equal(s.r.status, 200, `the one-time password does not sign in: ${s.r.text}`);
  assert.equal(s.r.json.workspace.id, ws);
  assert.equal(s.r.json.role, 'member');

  // An Admin adds too; a user who exists already gets no password.
  await c.init({ workspace: 'Elsewhere', email: 'known@example.com', password: 'known-password' });
  const known = await admin.client.post('/api/v1/members', { email: 'known@example.com', role: 'admin' });
  assert.equal(known.status, 201, known.text);
  assert.equal(known.json.role, 'admin');
  assert.ok(!('password' in known.json) || known.json.password === null, `a password for an existing user: ${known.text}`);
  assert.equal((await signIn(srv, 'known@example.com', 'known-password')).r.status, 200, 'the existing user lost their password');

  // The e-mail is stored trimmed and lower-cased, and signs in so.
  const mixed = await owner.client.post('/api/v1/members', { email: ' Mixed.Case@Example.COM ', role: 'member' });
  assert.equal(mixed.status, 201, mixed.text);
  assert.equal(mixed.json.email, 'mixed.case@example.com');
  assert.equal((await signIn(srv, 'mixed.case@example.com', mixed.json.password)).r.status, 200);
  assertError(await owner.client.post('/api/v1/members', { email: 'MIXED.case@example.com', role: 'admin' }), 409, null, 'the same e-mail in other case');
  assert.equal((await owner.client.del(`/api/v1/members/${mixed.json.user_id}`)).status, 204);

  // Refused: twice the same, a bad e-mail, a bad role.
  assertError(await owner.client.post('/api/v1/members', { email: 'known@example.com', role: 'member' }), 409, null, 'adding a member twice');
  const badEmail = await owner.client.post('/api/v1/members', { email: 'not-an-address', role: 'member' });
  assertError(badEmail, 422, 'invalid_fields', 'a bad e-mail');
  assert.ok(badEmail.json.error.fields && badEmail.json.error.fields.email, badEmail.text);
  const badRole = await owner.client.post('/api/v1/members', { email: 'x@example.com', role: 'superuser' });
  assertError(badRole, 422, 'invalid_fields', 'a bad role');
  assert.ok(badRole.json.error.fields && badRole.json.error.fields.role, badRole.text);
  assert.equal((await members(owner.client)).length, 5);

  // Change a role: by the Owner, by an Admin.
  const up = await owner.client.patch(`/api/v1/members/${add.json.user_id}`, { role: 'admin' });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.json.role, 'admin');
  assert.equal(up.json.user_id, add.json.user_id);
  assert.equal(roleOf(await members(member.client), add.json.user_id), 'admin');
  const down = await admin.client.patch(`/api/v1/members/${add.json.user_id}`, { role: 'member' });
  assert.equal(down.status, 200, down.text);
  assert.equal(roleOf(await members(owner.client), add.json.user_id), 'member');
  assertError(await owner.client.patch(`/api/v1/members/${add.json.user_id}`, { role: 'boss' }), 422, 'invalid_fields', 'a bad role');
  assertError(await owner.client.patch('/api/v1/members/usr_01M8YH8V7AH1ATFR4KAXMDE98X', { role: 'admin' }), 404, 'not_found', 'an unknown user');

  // Remove: by an Admin, by the Owner.
  assert.equal((await admin.client.del(`/api/v1/members/${add.json.user_id}`)).status, 204);
  assert.equal((await owner.client.del(`/api/v1/members/${known.json.user_id}`)).status, 204);
  const left = await members(owner.client);
  assert.deepEqual(left.map((m) => m.user_id).sort(), [owner.userId, admin.userId, member.userId].sort());
  assertError(await owner.client.del(`/api/v1/members/${add.json.user_id}`), 404, 'not_found', 'removing a removed member');
  assertError(await signIn(srv, 'new.person@example.com', add.json.password).then((x) => x.r), 401, null, 'a removed user of no workspace signing in');
  await srv.stop();
});

test('an Admin cannot make an Owner, nor change or remove one (403 forbidden), and nothing changes', { timeout: 60000 }, async (t) => {
  const { srv, owner, admin, member } = await workspace(t, 'acc-admin-limits');
  const before = { members: await members(owner.client), audit: await owner.client.listAll('/api/v1/audit-log') };
  const tries = [
    ['add an Owner', () => admin.client.post('/api/v1/members', { email: 'boss@example.com', role: 'owner' })],
    ['promote a Member to Owner', () => admin.client.patch(`/api/v1/members/${member.userId}`, { role: 'owner' })],
    ['promote oneself to Owner', () => admin.client.patch(`/api/v1/members/${admin.userId}`, { role: 'owner' })],
    ['demote the Owner to Admin', () => admin.client.patch(`/api/v1/members/${owner.userId}`, { role: 'admin' })],
    ['demote the Owner to Member', () => admin.client.patch(`/api/v1/members/${owner.userId}`, { role: 'member' })],
    ['remove the Owner', () => admin.client.del(`/api/v1/members/${owner.userId}`)],
  ];
  for (const [what, call] of tries) {
    const r = await call();
    assertError(r, 403, 'forbidden', `an Admin trying to ${what}`);
    assert.equal(typeof r.json.error.message, 'string');
  }
  assert.deepEqual({ members: await members(owner.client), audit: await owner.client.listAll('/api/v1/audit-log') }, before, 'a refused change changed something');

  // An Owner may do each of these.
  const boss = await owner.client.post('/api/v1/members', { email: 'boss@example.com', role: 'owner' });
  assert.equal(boss.status, 201, boss.text);
  assert.equal(boss.json.role, 'owner');
  const promoted = await owner.client.patch(`/api/v1/members/${admin.userId}`, { role: 'owner' });
  assert.equal(promoted.status, 200, promoted.text);
  assert.equal(promoted.json.role, 'owner');
  // ... and so may the Admin just made an Owner.
  assert.equal((await admin.client.del(`/api/v1/members/${boss.json.user_id}`)).status, 204);
  await srv.stop();
});

test('the last Owner can be neither demoted nor removed (409 last_owner), and nothing changes', { timeout: 60000 }, async (t) => {
  const { srv, owner, admin } = await workspace(t, 'acc-last-owner');
  const before = { members: await members(owner.client), audit: await owner.client.listAll('/api/v1/audit-log') };
  for (const [what, call] of [
    ['demote to Admin', () => owner.client.patch(`/api/v1/members/${owner.userId}`, { role: 'admin' })],
    ['demote to Member', () => owner.client.patch(`/api/v1/members/${owner.userId}`, { role: 'member' })],
    ['remove', () => owner.client.del(`/api/v1/members/${owner.userId}`)],
  ]) {
    assertError(await call(), 409, 'last_owner', `the last Owner trying to ${what} themself`);
  }
  assert.deepEqual({ members: await members(owner.client), audit: await owner.client.listAll('/api/v1/audit-log') }, before, 'a refused change changed something');
  // Setting the Owner's role to owner is no demotion.
  const same = await owner.client.patch(`/api/v1/members/${owner.userId}`, { role: 'owner' });
  assert.equal(same.status, 200, same.text);

  // With a second Owner, the first may step down; then the second is the last.
  assert.equal((await owner.client.patch(`/api/v1/members/${admin.userId}`, { role: 'owner' })).status, 200);
  const stepDown = await owner.client.patch(`/api/v1/members/${owner.userId}`, { role: 'admin' });
  assert.equal(stepDown.status, 200, stepDown.text);
  assert.equal(stepDown.json.role, 'admin');
  assertError(await admin.client.patch(`/api/v1/members/${admin.userId}`, { role: 'member' }), 409, 'last_owner', 'the new last Owner stepping down');
  assertError(await admin.client.del(`/api/v1/members/${admin.userId}`), 409, 'last_owner', 'the new last Owner leaving');
  const owners = (await members(owner.client)).filter((m) => m.role === 'owner');
  assert.deepEqual(owners.map((m) => m.user_id), [admin.userId]);
  await srv.stop();
});

test('two Owners demoting each other at the same moment: one of them stays Owner', { timeout: 90000 }, async (t) => {
  const { srv, ws, owner, c } = await workspace(t, 'acc-owner-race');
  const second = await c.userAdd({ email: 'second-owner@example.com', role: 'owner', workspace: ws, password: 'second-owner-pass' });
  const other = { userId: second.user_id, client: withToken(srv, await c.tokenCreate({ email: 'second-owner@example.com', workspace: ws })) };
  for (let round = 0; round < 15; round++) {
    const answers = await Promise.all([
      owner.client.patch(`/api/v1/members/${other.userId}`, { role: 'member' }),
      other.client.patch(`/api/v1/members/${owner.userId}`, { role: 'member' }),
      round % 2 ? owner.client.del(`/api/v1/members/${other.userId}`) : other.client.del(`/api/v1/members/${owner.userId}`),
    ]);
    const owners = (await members(owner.client).catch(() => members(other.client))).filter((m) => m.role === 'owner');
    assert.equal(owners.length, 1, `round ${round}: ${owners.length} Owners left; answers ${answers.map((r) => r.status).join(', ')}`);
    // Put things back: the one left makes the other an Owner again.
    const [keeper, lost] = owners[0].user_id === owner.userId ? [owner, other] : [other, owner];
    let r = await keeper.client.patch(`/api/v1/members/${lost.userId}`, { role: 'owner' });
    if (r.status === 404) {
      const email = lost === owner ? srv.ownerEmail : 'second-owner@example.com';
      r = await keeper.client.post('/api/v1/members', { email, role: 'owner' });
      assert.equal(r.status, 201, r.text);
      // A re-added member's old token may or may not work again (see the
      // test above); make a fresh one.
      lost.client = withToken(srv, await c.tokenCreate({ email, workspace: ws }));
    } else {
      assert.equal(r.status, 200, r.text);
    }
  }
  await srv.stop();
});

test("a removed member's API token and session stop working", { timeout: 60000 }, async (t) => {
  const { srv, owner, member } = await workspace(t, 'acc-removed');
  const sess = await signInOk(srv, member.email, member.password);
  const cookie = sessionClient(srv, sess);
  assert.equal((await member.client.get('/api/v1/webhooks')).status, 200);
  assert.equal((await cookie.get('/api/v1/webhooks')).status, 200);

  assert.equal((await owner.client.del(`/api/v1/members/${member.userId}`)).status, 204);
  assertError(await member.client.get('/api/v1/webhooks'), 401, 'unauthenticated', "the removed member's token");
  assertError(await member.client.post('/api/v1/tokens', { name: 'after removal' }), 401, 'unauthenticated', "the removed member's token making a token");
  assertError(await cookie.get('/api/v1/webhooks'), 401, 'unauthenticated', "the removed member's session");
  assertError(await cookie.get('/api/v1/session'), 401, 'unauthenticated', "the removed member's session");
  assertError(await cookie.post('/api/v1/tokens', { name: 'after removal' }), 401, 'unauthenticated', "the removed member's session making a token");
  await srv.stop();
});

test("a removed member's old token and session stay dead when the member is added back", { timeout: 60000 }, async (t) => {
  const { srv, owner, member } = await workspace(t, 'acc-readded');
  const sess = await signInOk(srv, member.email, member.password);
  assert.equal((await owner.client.del(`/api/v1/members/${member.userId}`)).status, 204);
  const back = await owner.client.post('/api/v1/members', { email: member.email, role: 'member' });
  assert.equal(back.status, 201, back.text);
  // Removal is where an Admin cuts a person off: credentials issued
  // before it must not come back to life with a later invitation.
  const alive = [];
  const token = await member.client.get('/api/v1/webhooks');
  if (token.status !== 401) alive.push(`the token issued before the removal: GET /api/v1/webhooks -> ${token.status} ${token.text}`);
  const session = await sessionClient(srv, sess).get('/api/v1/session');
  if (session.status !== 401) alive.push(`the session begun before the removal: GET /api/v1/session -> ${session.status}`);
  assert.deepEqual(alive, [], 'credentials of a removed member work again once the member is added back (expected 401)');
  await srv.stop();
});

// ---------------------------------------------------------------------
// API tokens.

test('tokens: shown once, listed without the secret (own only, this workspace only), revoked; last_used_at; the role is the member\'s', { timeout: 60000 }, async (t) => {
  const { srv, ws, owner, admin, member, c } = await workspace(t, 'acc-tokens');
  const rcv = await startReceiver();
  t.after(() => rcv.close());

  const made = await owner.client.post('/api/v1/tokens', { name: 'CI deploys' });
  assert.equal(made.status, 201, made.text);
  assert.deepEqual(Object.keys(made.json).sort(), ['created_at', 'id', 'name', 'token']);
  assert.match(made.json.id, /^tok_/);
  assert.equal(made.json.name, 'CI deploys');
  assert.match(made.json.token, /^pbt_[A-Za-z0-9_-]{20,}$/);
  assert.match(made.json.created_at, RFC3339_MS);
  const fresh = withToken(srv, made.json.token);

  // Listed without the secret, last_used_at null until used.
  let list = await owner.client.get('/api/v1/tokens');
  assert.equal(list.status, 200, list.text);
  assert.ok(!list.text.includes(made.json.token), 'the list shows the token');
  assert.ok(!list.text.includes(srv.token), 'the list shows a token');
  assert.ok(!/pbt_/.test(list.text), `the list shows a token: ${list.text}`);
  let row = list.json.data.find((x) => x.id === made.json.id);
  assert.ok(row, `the new token is not listed: ${list.text}`);
  assert.deepEqual(Object.keys(row).sort(), ['created_at', 'id', 'last_used_at', 'name', 'revoked_at']);
  assert.equal(row.name, 'CI deploys');
  // The answer's created_at is read from a clock of its own, not from
  // the row stored: they may differ by a millisecond or so.
  assert.ok(Math.abs(Date.parse(row.created_at) - Date.parse(made.json.created_at)) < 1000, `created_at ${row.created_at} listed, ${made.json.created_at} when made`);
  assert.equal(row.last_used_at, null, 'last_used_at is set before any use');
  assert.equal(row.revoked_at, null);

  // Used once: last_used_at set.
  assert.equal((await fresh.get('/api/v1/webhooks')).status, 200);
  row = (await owner.client.get('/api/v1/tokens')).json.data.find((x) => x.id === made.json.id);
  assert.match(String(row.last_used_at), RFC3339_MS, `last_used_at after a use: ${JSON.stringify(row)}`);
  assert.ok(Date.parse(row.last_used_at) >= Date.parse(row.created_at));
  assert.ok(Math.abs(Date.parse(row.last_used_at) - Date.now()) < 60000, `last_used_at ${row.last_used_at} is not now`);

  // Own only: nobody sees another's tokens.
  const adminTok = await admin.client.post('/api/v1/tokens', { name: 'admin laptop' });
  const memberTok = await member.client.post('/api/v1/tokens', { name: 'member script' });
  assert.equal(adminTok.status, 201, adminTok.text);
  assert.equal(memberTok.status, 201, memberTok.text);
  const ids = async (client) => (await client.get('/api/v1/tokens')).json.data.map((x) => x.id);
  assert.ok(!(await ids(owner.client)).includes(adminTok.json.id), "the Owner's list shows the Admin's token");
  assert.ok(!(await ids(owner.client)).includes(memberTok.json.id), "the Owner's list shows the Member's token");
  assert.ok(!(await ids(member.client)).includes(made.json.id), "the Member's list shows the Owner's token");
  assert.ok((await ids(member.client)).includes(memberTok.json.id));

  // This workspace only: the Owner's token of another workspace is not listed here.
  const other = await c.init({ workspace: 'Other', email: 'someone@example.com', password: 'someone-pass' });
  await c.userAdd({ email: srv.ownerEmail, role: 'member', workspace: other.workspace_id });
  const elsewhere = withToken(srv, await c.tokenCreate({ email: srv.ownerEmail, workspace: other.workspace_id }));
  const elsewhereTok = await elsewhere.post('/api/v1/tokens', { name: 'in Other' });
  assert.equal(elsewhereTok.status, 201, elsewhereTok.text);
  assert.ok(!(await ids(owner.client)).includes(elsewhereTok.json.id), "workspace Other's token is listed in A");
  // ... and it acts there, as a Member: no manage.
  assertError(await elsewhere.post('/api/v1/webhooks', { url: rcv.url('/x'), events: ['lead.captured'] }), 403, 'forbidden', 'a Member token of Other');
  assert.equal((await elsewhere.get('/api/v1/session')).json.workspace.id, other.workspace_id);
  assert.notEqual(other.workspace_id, ws);

  // A Member cannot revoke another's token (404), and it keeps working.
  assertError(await member.client.del(`/api/v1/tokens/${made.json.id}`), 404, 'not_found', "a Member revoking the Owner's token");
  assertError(await member.client.del(`/api/v1/tokens/${adminTok.json.id}`), 404, 'not_found', "a Member revoking the Admin's token");
  assert.equal((await fresh.get('/api/v1/webhooks')).status, 200, "the Owner's token stopped working");
  assert.equal((await owner.client.get('/api/v1/tokens')).json.data.find((x) => x.id === made.json.id).revoked_at, null);

  // Revoking one's own: 204, then 401 with it; revoked_at set.
  const memberFresh = withToken(srv, memberTok.json.token);
  assert.equal((await memberFresh.get('/api/v1/leads')).status, 200);
  assert.equal((await member.client.del(`/api/v1/tokens/${memberTok.json.id}`)).status, 204);
  assertError(await memberFresh.get('/api/v1/leads'), 401, 'unauthenticated', 'a revoked token');
  const revokedRow = (await member.client.get('/api/v1/tokens')).json.data.find((x) => x.id === memberTok.json.id);
  assert.match(String(revokedRow && revokedRow.revoked_at), RFC3339_MS, `revoked_at: ${JSON.stringify(revokedRow)}`);

  // An Owner revokes anyone's; so does an Admin.
  assert.equal((await owner.client.del(`/api/v1/tokens/${adminTok.json.id}`)).status, 204);
  assertError(await withToken(srv, adminTok.json.token).get('/api/v1/leads'), 401, 'unauthenticated', "the Admin's token revoked by the Owner");
  const memberTok2 = await member.client.post('/api/v1/tokens', { name: 'second' });
  assert.equal((await admin.client.del(`/api/v1/tokens/${memberTok2.json.id}`)).status, 204);
  assertError(await withToken(srv, memberTok2.json.token).get('/api/v1/leads'), 401, 'unauthenticated', "the Member's token revoked by the Admin");
  // ... but not a token of another workspace.
  assertError(await owner.client.del(`/api/v1/tokens/${elsewhereTok.json.id}`), 404, 'not_found', "revoking workspace Other's token from A");
  assert.equal((await withToken(srv, elsewhereTok.json.token).get('/api/v1/leads')).status, 200);

  // Names: 1 to 100 characters.
  for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 7 }]) {
    const r = await owner.client.post('/api/v1/tokens', body);
    assertError(r, 422, 'invalid_fields', `token name ${JSON.stringify(body)}`);
    assert.ok(r.json.error.fields && r.json.error.fields.name, r.text);
  }
  assert.equal((await owner.client.post('/api/v1/tokens', { name: 'é'.repeat(100) })).status, 201, '100 characters (200 bytes) is a valid name');

  // A token acts with its member's role, as it is now.
  const memberCreate = () => member.client.post('/api/v1/webhooks', { url: rcv.url('/m'), events: ['lead.captured'] });
  assertError(await memberCreate(), 403, 'forbidden', "a Member's token");
  assert.equal((await owner.client.patch(`/api/v1/members/${member.userId}`, { role: 'admin' })).status, 200);
  assert.equal((await memberCreate()).status, 201, 'the token does not follow its member\'s new role');
  await srv.stop();
});

// ---------------------------------------------------------------------
// The audit log.

test('audit log: every change recorded with its actor (user, e-mail, token), action and target, newest first, paginated', { timeout: 90000 }, async (t) => {
  const { srv, owner, admin, member } = await workspace(t, 'acc-audit', { PITCHBAR_RETRY_DELAYS: '0.1,0.1' });
  const rcv = await startReceiver();
  t.after(() => rcv.close());

  // The Owner acts with a token whose id is known; the Admin with a session.
  const tok = await owner.client.post('/api/v1/tokens', { name: 'audited' });
  assert.equal(tok.status, 201, tok.text);
  const ownerApi = withToken(srv, tok.json.token);
  const adminSession = sessionClient(srv, await signInOk(srv, admin.email, admin.password));
  const memberWs = withToken(srv, member.token);

  const all = () => owner.client.listAll('/api/v1/audit-log', { limit: 200 });
  let seen = (await all()).length;
  const recorded = [];

  // Runs one change; expects exactly one new entry (at least one when
  // many allows), newest first, and returns the newest.
  async function change(label, fn, expect) {
    const r = await fn();
    assert.ok(r.status >= 200 && r.status < 300, `${label}: ${r.status} ${r.text}`);
    const list = await all();
    const added = list.length - seen;
    if (expect.many) assert.ok(added >= 1, `${label}: no audit entry`);
    else assert.equal(added, 1, `${label}: ${added} audit entries: ${JSON.stringify(list.slice(0, Math.max(added, 1)))}`);
    seen = list.length;
    const e = list[0];
    assert.match(e.id, /^\w+_/);
    assert.match(e.at, RFC3339_MS);
    assert.ok(Math.abs(Date.parse(e.at) - Date.now()) < 60000, `${label}: at ${e.at} is not now`);
    assert.equal(e.actor.user_id, expect.actor.userId, `${label}: actor ${JSON.stringify(e.actor)}`);
    assert.equal(e.actor.email, expect.actor.email, `${label}: actor ${JSON.stringify(e.actor)}`);
    if (expect.tokenId !== undefined) assert.equal(e.actor.token_id === undefined ? null : e.actor.token_id, expect.tokenId, `${label}: actor token ${JSON.stringify(e.actor)}`);
    assert.equal(typeof e.action, 'string');
    assert.match(e.action, expect.action, `${label}: action ${e.action}`);
    assert.match(String(e.target_type), expect.type, `${label}: target_type ${e.target_type}`);
    const targets = [].concat(typeof expect.target === 'function' ? expect.target(r) : expect.target);
    assert.ok(targets.includes(e.target_id), `${label}: target_id ${e.target_id}, expected one of ${targets.join(', ')}`);
    assert.ok('details' in e, `${label}: no details`);
    recorded.push({ label, action: e.action, id: e.id });
    return { r, e };
  }
  const byOwner = { actor: owner, tokenId: tok.json.id };
  const byAdmin = { actor: admin, tokenId: null };

  // Webhooks.
  const { r: created } = await change('webhook created', () => ownerApi.post('/api/v1/webhooks', { url: rcv.url('/hook'), events: ['lead.captured'] }), { ...byOwner, action: /creat/, type: /webhook|endpoint/, target: (r) => r.json.id });
  const ep = created.json;
  rcv.secret = ep.secret;
  await change('webhook updated', () => ownerApi.patch(`/api/v1/webhooks/${ep.id}`, { description: 'audited' }), { ...byOwner, action: /updat|chang|edit/, type: /webhook|endpoint/, target: ep.id });
  await change('secret rotated', () => adminSession.post(`/api/v1/webhooks/${ep.id}/rotate-secret`), { ...byAdmin, action: /rotat/, type: /webhook|endpoint/, target: ep.id });
  await change('test sent', () => ownerApi.post(`/api/v1/webhooks/${ep.id}/test`), { ...byOwner, action: /test/, type: /webhook|endpoint/, target: ep.id });

  // Deliveries: one fails, is redelivered; then every failed since.
  rcv.respond({ status: 503, body: 'down' });
  const lead = await owner.client.lead({ email: 'audit@example.com' });
  assert.equal(lead.status, 201, lead.text);
  const failed = (await owner.client.settledDeliveries(ep.id, 2)).find((d) => d.status === 'failed');
  assert.ok(failed, 'no failed delivery');
  assert.equal((await all()).length, seen, 'a captured lead wrote to the audit log');
  const { r: again } = await change('delivery redelivered', () => adminSession.post(`/api/v1/deliveries/${failed.id}/redeliver`), { ...byAdmin, action: /redeliver/, type: /deliver/, target: [failed.id] });
  await owner.client.settledDelivery(again.json.delivery_id);
  await change('failed redelivered', () => ownerApi.post(`/api/v1/webhooks/${ep.id}/redeliver-failed`, { since: new Date(Date.now() - 3600e3).toISOString() }), { ...byOwner, many: true, action: /redeliver/, type: /webhook|endpoint|deliver/, target: [ep.id] });

  // Members.
  const { r: added } = await change('member added', () => adminSession.post('/api/v1/members', { email: 'audited@example.com', role: 'member' }), { ...byAdmin, action: /add|invit|creat/, type: /user|member/, target: (r) => r.json.user_id });
  await change('role changed', () => ownerApi.patch(`/api/v1/members/${added.json.user_id}`, { role: 'admin' }), { ...byOwner, action: /role|chang|updat/, type: /user|member/, target: added.json.user_id });
  await change('member removed', () => adminSession.del(`/api/v1/members/${added.json.user_id}`), { ...byAdmin, action: /remov|delet/, type: /user|member/, target: added.json.user_id });

  // Tokens, made and revoked by a Member.
  const { r: mt } = await change('token created', () => memberWs.post('/api/v1/tokens', { name: 'member token' }), { actor: member, action: /creat|issu/, type: /token/, target: (r) => r.json.id });
  await change('token revoked', () => memberWs.del(`/api/v1/tokens/${mt.json.id}`), { actor: member, action: /revok/, type: /token/, target: mt.json.id });

  // Endpoint deleted last.
  await change('webhook deleted', () => adminSession.del(`/api/v1/webhooks/${ep.id}`), { ...byAdmin, action: /delet|remov/, type: /webhook|endpoint/, target: ep.id });

  // Each kind of change has its own action name.
  const actions = new Set(recorded.map((x) => x.action));
  assert.equal(actions.size, recorded.length, `two kinds of change share an action: ${JSON.stringify(recorded)}`);

  // Newest first, over the whole log.
  const full = await all();
  for (let i = 1; i < full.length; i++) {
    assert.ok(full[i - 1].at >= full[i].at, `not newest first at ${i}: ${full[i - 1].at} before ${full[i].at}`);
  }
  const order = recorded.map((x) => x.id).reverse();
  assert.deepEqual(full.filter((e) => order.includes(e.id)).map((e) => e.id), order, 'the log is not in the order of the changes, newest first');

  // Pages of 3 cover the same list, with no repeats, ending with null.
  const paged = [];
  let cursor = null;
  let pages = 0;
  do {
    const r = await owner.client.get(`/api/v1/audit-log?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.data.length <= 3);
    assert.ok('next_cursor' in r.json);
    paged.push(...r.json.data);
    cursor = r.json.next_cursor;
    pages++;
    assert.ok(pages < 100, 'pagination does not end');
  } while (cursor !== null);
  assert.deepEqual(paged.map((e) => e.id), full.map((e) => e.id));
  assert.ok(pages >= 4, `only ${pages} pages of 3 for ${full.length} entries`);
  const dflt = await owner.client.get('/api/v1/audit-log');
  assert.equal(dflt.status, 200);
  assert.deepEqual(dflt.json.data.map((e) => e.id), full.slice(0, 50).map((e) => e.id));

  // Bad paging is 400 malformed.
  for (const q of ['limit=0', 'limit=201', 'limit=x', 'cursor=bogus']) {
    assertError(await owner.client.get(`/api/v1/audit-log?${q}`), 400, 'malformed', `audit-log?${q}`);
  }
  // Every role reads it.
  assert.equal((await member.client.get('/api/v1/audit-log')).status, 200);
  await srv.stop();
});

// ---------------------------------------------------------------------
// Integrations.

const PROVIDERS = ['notion', 'google', 'slack', 'webhooks', 'hubspot', 'salesforce'];

async function integrations(client) {
  const r = await client.get('/api/v1/integrations');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data.map((x) => x.provider), PROVIDERS);
  for (const row of r.json.data) {
    for (const k of ['provider', 'status', 'account', 'connected_by', 'connected_at', 'settings', 'last_error']) {
      assert.ok(k in row, `${row.provider} lacks ${k}: ${JSON.stringify(row)}`);
    }
  }
  return Object.fromEntries(r.json.data.map((x) => [x.provider, x]));
}

test('integrations: notion/google/slack not_configured without client ids; webhooks not_connected until an enabled endpoint; hubspot/salesforce coming_soon', { timeout: 60000 }, async (t) => {
  const { srv, owner, member } = await workspace(t, 'acc-integrations');
  const rcv = await startReceiver();
  t.after(() => rcv.close());

  let rows = await integrations(member.client);
  for (const p of ['notion', 'google', 'slack']) {
    assert.equal(rows[p].status, 'not_configured', `${p}: ${JSON.stringify(rows[p])}`);
    assert.equal(rows[p].account, null);
    assert.equal(rows[p].connected_by, null);
  }
  assert.equal(rows.webhooks.status, 'not_connected');
  assert.equal(rows.webhooks.settings && rows.webhooks.settings.endpoints, 0, JSON.stringify(rows.webhooks));
  assert.equal(rows.hubspot.status, 'coming_soon');
  assert.equal(rows.salesforce.status, 'coming_soon');

  // A disabled endpoint does not make webhooks active; an enabled one does.
  const off = await owner.client.createEndpoint(rcv.url('/off'), { enabled: false });
  rows = await integrations(owner.client);
  assert.equal(rows.webhooks.status, 'not_connected', `with only a disabled endpoint: ${JSON.stringify(rows.webhooks)}`);
  const on = await owner.client.createEndpoint(rcv.url('/on'));
  rows = await integrations(member.client);
  assert.equal(rows.webhooks.status, 'active');
  assert.ok(rows.webhooks.settings.endpoints >= 1, JSON.stringify(rows.webhooks));
  assert.equal((await owner.client.patch(`/api/v1/webhooks/${off.id}`, { enabled: true })).status, 200);
  rows = await integrations(owner.client);
  assert.equal(rows.webhooks.status, 'active');
  assert.equal(rows.webhooks.settings.endpoints, 2, JSON.stringify(rows.webhooks));
  // Disabled, then deleted: not_connected again.
  assert.equal((await owner.client.patch(`/api/v1/webhooks/${off.id}`, { enabled: false })).status, 200);
  assert.equal((await owner.client.patch(`/api/v1/webhooks/${on.id}`, { enabled: false })).status, 200);
  rows = await integrations(owner.client);
  assert.equal(rows.webhooks.status, 'not_connected', `all endpoints disabled: ${JSON.stringify(rows.webhooks)}`);
  assert.equal((await owner.client.patch(`/api/v1/webhooks/${on.id}`, { enabled: true })).status, 200);
  assert.equal((await integrations(owner.client)).webhooks.status, 'active');
  assert.equal((await owner.client.del(`/api/v1/webhooks/${on.id}`)).status, 204);
  assert.equal((await integrations(owner.client)).webhooks.status, 'not_connected', 'after deleting the only enabled endpoint');
  await srv.stop();
});

test('integrations: with PITCHBAR_SLACK_CLIENT_ID set, slack is not_connected', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'acc-slack', env: { PITCHBAR_SLACK_CLIENT_ID: '123.456', PITCHBAR_SLACK_CLIENT_SECRET: 'shh' } });
  t.after(() => srv.cleanup());
  const rows = await integrations(api(srv));
  assert.equal(rows.slack.status, 'not_connected', JSON.stringify(rows.slack));
  assert.equal(rows.notion.status, 'not_configured');
  assert.equal(rows.google.status, 'not_configured');
  assert.ok(!JSON.stringify(rows).includes('shh'), 'the client secret shows');
  await srv.stop();
});
