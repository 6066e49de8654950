'use strict';
// The permission matrix, generated from the route table (`pitchbar
// routes`): every route x {owner, admin, member, owner of another
// workspace, anonymous, revoked credential} -> the expected status, once
// with API tokens and once with sign-in sessions (cookie + X-CSRF-Token).
// Public routes answer without credentials; view routes answer every
// role of the workspace and 401 without valid credentials; manage routes
// answer Owners and Admins and 403 "forbidden" to Members; objects of
// workspace A are 404 to the Owner of workspace B. After every refused
// request (and every request of B's Owner) workspace A is compared with
// what it was before: nothing may have changed.
//
// A route in the table that this file does not know fails the test:
// add it to SPECS below with the permission docs/api.md gives it.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { startReceiver } = require('./lib/receiver');
const { api } = require('./lib/api');
const { request } = require('./lib/http');
const { cli, routeTable } = require('./lib/cli');
const { signInOk, COOKIE } = require('./lib/session');

const ROLES = ['owner', 'admin', 'member', 'other', 'anonymous', 'revoked'];
const FORBIDDEN_MESSAGE = /Owners and Admins/;

let seq = 0;
const unique = (what) => `${what}-${Date.now().toString(36)}-${++seq}`;

// ---------------------------------------------------------------------
// Sending as a principal.

// The headers that make a request act as p in mode ('token' | 'session').
function credentials(p, mode, method) {
  const h = {};
  if (mode === 'token' && p.token) h.Authorization = `Bearer ${p.token}`;
  if (mode === 'session' && p.session) {
    h.Cookie = `${COOKIE}=${p.session.cookie}`;
    if (method !== 'GET') h['X-CSRF-Token'] = p.session.csrf;
  }
  return h;
}

function send(ctx, p, mode, method, path, body) {
  return request(method, `${ctx.srv.url}${path}`, { body, headers: credentials(p, mode, method) });
}

// A JSON list (data array) as p; asserts 200.
async function listAs(ctx, p, path) {
  const r = await send(ctx, p, 'token', 'GET', path);
  assert.equal(r.status, 200, `GET ${path} as ${p.name}: ${r.status} ${r.text}`);
  return r.json.data;
}

// ---------------------------------------------------------------------
// Workspace A, as its Owner sees it: everything a refused request could
// have changed.

async function snapshot(ctx) {
  const owner = ctx.api; // the Owner's token
  const webhooks = await owner.listAll('/api/v1/webhooks');
  const deliveries = {};
  for (const ep of webhooks) {
    deliveries[ep.id] = (await owner.deliveries(ep.id)).map((d) => ({ id: d.id, message_id: d.message_id, redelivery_of: d.redelivery_of }));
  }
  const tokens = {};
  for (const name of ['owner', 'admin', 'member']) {
    tokens[name] = (await listAs(ctx, ctx.P[name], '/api/v1/tokens')).map(({ last_used_at: _used, ...rest }) => rest);
  }
  const sessions = {};
  for (const name of ['owner', 'admin', 'member']) {
    const r = await send(ctx, ctx.P[name], 'session', 'GET', '/api/v1/session');
    sessions[name] = r.status === 200 ? { workspace: r.json.workspace.id, role: r.json.role } : r.status;
  }
  const workflows = ctx.has('GET /api/v1/workflows') ? await owner.listAll('/api/v1/workflows') : null;
  return {
    webhooks,
    workflows,
    deliveries,
    members: await listAs(ctx, ctx.P.owner, '/api/v1/members'),
    tokens,
    sessions,
    audit: await owner.listAll('/api/v1/audit-log'),
    leads: (await owner.listAll('/api/v1/leads')).map((l) => l.id),
  };
}

// ---------------------------------------------------------------------
// What each route needs to be exercised. perm is the permission
// docs/api.md gives the route; the table must agree. prep(ctx, role)
// returns {path, body, as} for one request (as: another principal to
// send as, e.g. a fresh session to sign out). ok: the status when
// allowed. foreign: the request names an object of workspace A (ids in
// the path, or a workspace id in the body), so B's Owner gets 404.
// draft: a route DESIGN promises and docs/api.md does not list yet: it is
// exercised when the table has it, and not required to be there.

const A = (ctx) => ctx.A;

const SPECS = {
  // Operations and the widget.
  'GET /healthz': { perm: 'public', ok: 200, prep: () => ({ path: '/healthz' }) },
  'GET /readyz': { perm: 'public', ok: 200, prep: () => ({ path: '/readyz' }) },
  'GET /metrics': { perm: 'public', ok: 200, prep: () => ({ path: '/metrics' }) },
  'POST /widget/v1/{widget_key}/leads': {
    perm: 'public',
    ok: 201,
    prep: (ctx) => ({ path: `/widget/v1/${ctx.srv.widgetKey}/leads`, body: { email: `${unique('public')}@example.com` } }),
  },

  // Sessions.
  'POST /api/v1/session': {
    perm: 'public',
    ok: 200,
    prep: (ctx) => ({ path: '/api/v1/session', body: { email: ctx.P.owner.email, password: ctx.P.owner.password } }),
  },
  'GET /api/v1/session': {
    perm: 'view',
    ok: 200,
    prep: () => ({ path: '/api/v1/session' }),
    check: (ctx, r, p) => {
      assert.equal(r.json.workspace.id, p.ws, 'the session is in the principal\'s workspace');
      assert.equal(r.json.role, p.role);
    },
  },
  'PUT /api/v1/session': {
    perm: 'view',
    mode: 'session',
    ok: 200,
    foreign: true, // B's Owner asks to move into workspace A
    prep: (ctx, role) => ({ path: '/api/v1/session', body: { workspace_id: A(ctx).ws } }),
    check: (ctx, r, p) => {
      assert.equal(r.json.workspace.id, A(ctx).ws);
      assert.equal(r.json.role, p.role);
    },
  },
  'DELETE /api/v1/session': {
    perm: 'view',
    mode: 'session',
    ok: 204,
    // Signing out ends the session: use a fresh one of the same user.
    prep: async (ctx, role) => {
      const p = ctx.P[role];
      if (!p.email) return { path: '/api/v1/session' };
      return { path: '/api/v1/session', as: { ...p, session: await signInOk(ctx.srv, p.email, p.password) } };
    },
    check: async (ctx, r, p, as) => {
      const again = await send(ctx, as, 'session', 'GET', '/api/v1/session');
      assert.equal(again.status, 401, `the signed-out session still answers: ${again.status} ${again.text}`);
    },
  },

  // Integrations.
  'GET /api/v1/integrations': {
    perm: 'view',
    ok: 200,
    prep: () => ({ path: '/api/v1/integrations' }),
    check: (ctx, r, p) => {
      const hooks = r.json.data.find((row) => row.provider === 'webhooks');
      assert.ok(hooks, `no webhooks row: ${r.text}`);
      if (p.ws === A(ctx).ws) assert.equal(hooks.status, 'active', 'workspace A has an enabled endpoint');
      else assert.equal(hooks.status, 'not_connected', `workspace B has no enabled endpoint: ${JSON.stringify(hooks)}`);
    },
  },

  // Members.
  'GET /api/v1/members': {
    perm: 'view',
    ok: 200,
    prep: () => ({ path: '/api/v1/members' }),
    check: (ctx, r, p) => {
      if (p.ws !== A(ctx).ws) return;
      const ids = r.json.data.map((m) => m.user_id);
      for (const who of ['owner', 'admin', 'member']) assert.ok(ids.includes(ctx.P[who].userId), `${who} missing from ${r.text}`);
    },
  },
  'POST /api/v1/members': {
    perm: 'manage',
    ok: 201,
    prep: () => ({ path: '/api/v1/members', body: { email: `${unique('new')}@example.com`, role: 'member' } }),
  },
  'PATCH /api/v1/members/{user_id}': {
    perm: 'manage',
    ok: 200,
    // Allowed: a fresh Member made an Admin. Refused: the Member asks
    // to become an Admin.
    prep: async (ctx, role, allowed) => {
      const target = allowed ? await freshMember(ctx) : ctx.P.member.userId;
      return { path: `/api/v1/members/${target}`, body: { role: 'admin' } };
    },
    check: (ctx, r) => assert.equal(r.json.role, 'admin'),
  },
  'DELETE /api/v1/members/{user_id}': {
    perm: 'manage',
    ok: 204,
    prep: async (ctx, role, allowed) => ({ path: `/api/v1/members/${allowed ? await freshMember(ctx) : ctx.P.admin.userId}` }),
  },

  // API tokens: every role manages its own.
  'GET /api/v1/tokens': { perm: 'view', ok: 200, prep: () => ({ path: '/api/v1/tokens' }) },
  'POST /api/v1/tokens': {
    perm: 'view',
    ok: 201,
    prep: () => ({ path: '/api/v1/tokens', body: { name: unique('matrix') } }),
    check: (ctx, r) => assert.match(r.json.token, /^pbt_/),
  },
  'DELETE /api/v1/tokens/{id}': {
    perm: 'view',
    ok: 204,
    // Allowed: a fresh token of the caller's own. Otherwise the Owner's
    // kept token.
    prep: async (ctx, role, allowed) => {
      if (!allowed) return { path: `/api/v1/tokens/${A(ctx).keptTokenId}` };
      const r = await send(ctx, ctx.P[role], 'token', 'POST', '/api/v1/tokens', { name: unique('own') });
      assert.equal(r.status, 201, `making a token for ${role}: ${r.status} ${r.text}`);
      return { path: `/api/v1/tokens/${r.json.id}` };
    },
  },

  // Agents.
  'GET /api/v1/agents': {
    perm: 'view',
    ok: 200,
    prep: () => ({ path: '/api/v1/agents' }),
    check: (ctx, r, p) => {
      if (p.ws === A(ctx).ws) assert.ok(r.json.data.some((a) => a.widget_key === ctx.srv.widgetKey), `A's agent is not listed: ${r.text}`);
    },
  },

  // Audit log and leads.
  'GET /api/v1/audit-log': { perm: 'view', ok: 200, prep: () => ({ path: '/api/v1/audit-log' }) },
  'GET /api/v1/leads': { perm: 'view', ok: 200, prep: () => ({ path: '/api/v1/leads' }) },

  // Webhook endpoints.
  'GET /api/v1/webhooks': {
    perm: 'view',
    ok: 200,
    prep: () => ({ path: '/api/v1/webhooks' }),
    check: (ctx, r, p) => {
      for (const ep of r.json.data) assertSecretShown(ep, p);
    },
  },
  'POST /api/v1/webhooks': {
    perm: 'manage',
    ok: 201,
    prep: (ctx) => ({ path: '/api/v1/webhooks', body: { url: ctx.rcv.url('/created'), events: ['lead.captured'], enabled: false } }),
  },
  'GET /api/v1/webhooks/{id}': {
    perm: 'view',
    ok: 200,
    prep: (ctx) => ({ path: `/api/v1/webhooks/${A(ctx).endpoint.id}` }),
    check: (ctx, r, p) => assertSecretShown(r.json, p),
  },
  'PATCH /api/v1/webhooks/{id}': {
    perm: 'manage',
    ok: 200,
    prep: (ctx, role) => ({ path: `/api/v1/webhooks/${A(ctx).endpoint.id}`, body: { description: `changed by ${role}` } }),
  },
  'DELETE /api/v1/webhooks/{id}': {
    perm: 'manage',
    ok: 204,
    prep: async (ctx, role, allowed) => {
      const id = allowed ? (await ctx.api.createEndpoint(ctx.rcv.url('/doomed'), { enabled: false })).id : A(ctx).endpoint.id;
      return { path: `/api/v1/webhooks/${id}` };
    },
  },
  'GET /api/v1/webhooks/{id}/deliveries': {
    perm: 'view',
    ok: 200,
    prep: (ctx) => ({ path: `/api/v1/webhooks/${A(ctx).endpoint.id}/deliveries` }),
    check: (ctx, r) => assert.ok(r.json.data.some((d) => d.id === A(ctx).delivery.id), `the delivery is not listed: ${r.text}`),
  },
  'POST /api/v1/webhooks/{id}/rotate-secret': {
    perm: 'manage',
    ok: 200,
    prep: (ctx) => ({ path: `/api/v1/webhooks/${A(ctx).endpoint.id}/rotate-secret` }),
    check: (ctx, r) => assert.match(r.json.secret, /^whsec_/),
  },
  'POST /api/v1/webhooks/{id}/test': {
    perm: 'manage',
    ok: 202,
    prep: (ctx) => ({ path: `/api/v1/webhooks/${A(ctx).endpoint.id}/test` }),
    check: (ctx, r) => assert.match(r.json.delivery_id, /^dlv_/),
  },
  'POST /api/v1/webhooks/{id}/redeliver-failed': {
    perm: 'manage',
    ok: 202,
    prep: (ctx) => ({
      path: `/api/v1/webhooks/${A(ctx).endpoint.id}/redeliver-failed`,
      body: { since: new Date(Date.now() - 3600 * 1000).toISOString() },
    }),
    check: (ctx, r) => assert.ok(Array.isArray(r.json.delivery_ids), r.text),
  },

  // Deliveries and runs.
  'GET /api/v1/deliveries/{id}': {
    perm: 'view',
    ok: 200,
    prep: (ctx) => ({ path: `/api/v1/deliveries/${A(ctx).delivery.id}` }),
    check: (ctx, r) => assert.equal(r.json.id, A(ctx).delivery.id),
  },
  'POST /api/v1/deliveries/{id}/redeliver': {
    perm: 'manage',
    ok: 202,
    prep: (ctx) => ({ path: `/api/v1/deliveries/${A(ctx).delivery.id}/redeliver` }),
    check: (ctx, r) => assert.match(r.json.delivery_id, /^dlv_/),
  },
  'GET /api/v1/workflow-runs/{id}': {
    perm: 'view',
    ok: 200,
    prep: (ctx) => ({ path: `/api/v1/workflow-runs/${A(ctx).delivery.run_id}` }),
    check: (ctx, r) => assert.equal(r.json.id, A(ctx).delivery.run_id),
  },

  // Workflows and the run log.
  'GET /api/v1/workflows': {
    perm: 'view',
    ok: 200,
    prep: () => ({ path: '/api/v1/workflows' }),
    check: (ctx, r, p) => {
      if (p.ws === A(ctx).ws) assert.ok(r.json.data.some((w) => w.id === A(ctx).workflow.id), `A's workflow is not listed: ${r.text}`);
      if (p.role === 'member') assert.ok(!r.text.includes('whsec_'), `a Member sees a step secret: ${r.text}`);
    },
  },
  'POST /api/v1/workflows': {
    perm: 'manage',
    ok: 201,
    prep: (ctx, role) => ({ path: '/api/v1/workflows', body: workflowBody(ctx, `made by ${role}`) }),
  },
  'GET /api/v1/workflows/{id}': {
    perm: 'view',
    ok: 200,
    prep: (ctx) => ({ path: `/api/v1/workflows/${A(ctx).workflow.id}` }),
    check: (ctx, r, p) => {
      assert.equal(r.json.id, A(ctx).workflow.id);
      if (p.role === 'member') assert.ok(!r.text.includes('whsec_'), `a Member sees a step secret: ${r.text}`);
    },
  },
  'PATCH /api/v1/workflows/{id}': {
    perm: 'manage',
    ok: 200,
    prep: (ctx, role) => ({ path: `/api/v1/workflows/${A(ctx).workflow.id}`, body: { name: `renamed by ${role}` } }),
  },
  'DELETE /api/v1/workflows/{id}': {
    perm: 'manage',
    ok: 204,
    prep: async (ctx, role, allowed) => {
      if (!allowed) return { path: `/api/v1/workflows/${A(ctx).workflow.id}` };
      const r = await ctx.api.post('/api/v1/workflows', workflowBody(ctx, 'doomed'));
      assert.equal(r.status, 201, `making a workflow to delete: ${r.status} ${r.text}`);
      return { path: `/api/v1/workflows/${r.json.id}` };
    },
  },
  'GET /api/v1/workflow-runs': { perm: 'view', ok: 200, prep: () => ({ path: '/api/v1/workflow-runs' }) },

  // The web app and the widget's files: public, whoever asks.
  'GET /': { perm: 'public', ok: 302, prep: () => ({ path: '/' }) },
  'GET /app': { perm: 'public', ok: 302, prep: () => ({ path: '/app' }) },
  'GET /login': { perm: 'public', ok: 200, prep: () => ({ path: '/login' }) },
  'GET /app/integrations': { perm: 'public', ok: 200, prep: () => ({ path: '/app/integrations' }) },
  'GET /app/integrations/webhooks': { perm: 'public', ok: 200, prep: () => ({ path: '/app/integrations/webhooks' }) },
  'GET /app/workflows': { perm: 'public', draft: true, ok: 200, prep: () => ({ path: '/app/workflows' }) },
  'GET /demo/{widget_key}': { perm: 'public', ok: 200, prep: (ctx) => ({ path: `/demo/${ctx.srv.widgetKey}` }) },
  'GET /widget/v1/widget.js': { perm: 'public', ok: 200, prep: () => ({ path: '/widget/v1/widget.js' }) },
  'GET /assets/{file}': { perm: 'public', ok: 200, prep: () => ({ path: '/assets/app.css' }) },
};

// A disabled workflow with one webhook step (it runs on no lead).
function workflowBody(ctx, name) {
  return { name, trigger: 'lead.captured', enabled: false, steps: [{ type: 'webhook', url: ctx.rcv.url('/workflow') }] };
}

function assertSecretShown(ep, p) {
  if (p.role === 'member') assert.ok(!('secret' in ep) || ep.secret === null, `a Member sees the secret of ${ep.id}`);
  else assert.match(String(ep.secret), /^whsec_/, `an ${p.role} does not see the secret of ${ep.id}`);
}

async function freshMember(ctx) {
  const r = await ctx.api.post('/api/v1/members', { email: `${unique('target')}@example.com`, role: 'member' });
  assert.equal(r.status, 201, `adding a target member: ${r.status} ${r.text}`);
  return r.json.user_id;
}

// The expected answer of route for role: null when the pair is not
// exercised (public routes are asked without credentials, and with a
// revoked one).
function expectation(route, spec, role) {
  if (route.permission === 'public') return role === 'anonymous' || role === 'revoked' ? { status: spec.ok, allowed: true } : null;
  if (role === 'anonymous' || role === 'revoked') return { status: 401, code: 'unauthenticated', refused: true };
  const foreign = spec.foreign || route.pattern.includes('{');
  if (role === 'other') return foreign ? { status: 404, code: 'not_found', refused: true } : { status: spec.ok, allowed: true, outsider: true };
  if (route.permission === 'manage' && role === 'member') return { status: 403, code: 'forbidden', message: FORBIDDEN_MESSAGE, refused: true };
  return { status: spec.ok, allowed: true };
}

// ---------------------------------------------------------------------
// Set-up: workspace A with an Owner, an Admin and a Member, an endpoint
// with a delivery and its run; workspace B with its own Owner; a revoked
// token and an ended session.

async function setUp(t, label, table) {
  const srv = await startServer({ label });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver();
  t.after(() => rcv.close());
  assert.ok(srv.ownerEmail && srv.ownerPassword, 'the first-start banner shows no Owner sign-in');
  const routes = new Set(table.map((r) => `${r.method} ${r.pattern}`));
  const ctx = { srv, rcv, api: api(srv), cli: cli(srv), P: {}, A: {}, has: (key) => routes.has(key) };

  const ownerSession = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);
  const ws = ownerSession.json.workspace.id;
  ctx.A.ws = ws;
  ctx.P.owner = { name: 'owner', role: 'owner', ws, userId: ownerSession.json.user.id, email: srv.ownerEmail, password: srv.ownerPassword, token: srv.token, session: ownerSession };

  for (const role of ['admin', 'member']) {
    const email = `${role}@a.example`;
    const password = `${role}-password-1`;
    const added = await ctx.cli.userAdd({ email, role, workspace: ws, password });
    const token = await ctx.cli.tokenCreate({ email, workspace: ws });
    ctx.P[role] = { name: role, role, ws, userId: added.user_id, email, password, token, session: await signInOk(srv, email, password) };
  }

  const b = await ctx.cli.init({ workspace: 'Workspace B', email: 'owner@b.example', password: 'b-owner-password' });
  ctx.P.other = {
    name: 'other',
    role: 'owner',
    ws: b.workspace_id,
    email: 'owner@b.example',
    password: 'b-owner-password',
    token: await ctx.cli.tokenCreate({ email: 'owner@b.example', workspace: b.workspace_id }),
    session: await signInOk(srv, 'owner@b.example', 'b-owner-password'),
  };
  ctx.P.other.userId = ctx.P.other.session.json.user.id;
  assert.equal(ctx.P.other.session.json.workspace.id, b.workspace_id);

  ctx.P.anonymous = { name: 'anonymous' };

  // A token of A's Owner, revoked; a session of A's Owner, signed out.
  const made = await ctx.api.post('/api/v1/tokens', { name: 'revoked one' });
  assert.equal(made.status, 201, made.text);
  const revoke = await ctx.api.del(`/api/v1/tokens/${made.json.id}`);
  assert.equal(revoke.status, 204, revoke.text);
  const ended = await signInOk(srv, srv.ownerEmail, srv.ownerPassword);
  const out = await send(ctx, { session: ended }, 'session', 'DELETE', '/api/v1/session');
  assert.equal(out.status, 204, `signing out: ${out.status} ${out.text}`);
  ctx.P.revoked = { name: 'revoked', token: made.json.token, session: ended };

  // A token of A's Owner that stays: the target of refused revocations.
  const kept = await ctx.api.post('/api/v1/tokens', { name: 'kept' });
  assert.equal(kept.status, 201, kept.text);
  ctx.A.keptTokenId = kept.json.id;

  // An endpoint, a lead, its delivery and run.
  ctx.A.endpoint = await ctx.api.createEndpoint(rcv.url('/a'));
  const lead = await ctx.api.lead({ email: 'lead@a.example', name: 'Lead of A' });
  assert.equal(lead.status, 201, lead.text);
  ctx.A.leadId = lead.json.id;
  [ctx.A.delivery] = await ctx.api.settledDeliveries(ctx.A.endpoint.id, 1);
  assert.match(ctx.A.delivery.run_id, /^run_/);

  if (ctx.has('POST /api/v1/workflows')) {
    const wf = await ctx.api.post('/api/v1/workflows', workflowBody(ctx, 'A\'s workflow'));
    assert.equal(wf.status, 201, `making A's workflow: ${wf.status} ${wf.text}`);
    ctx.A.workflow = wf.json;
  }

  // What B's Owner must never see.
  ctx.A.secrets = [ws, ctx.A.endpoint.id, ctx.A.delivery.id, ctx.A.delivery.run_id, ctx.A.leadId, ctx.A.keptTokenId, ctx.P.owner.userId, ctx.P.admin.userId, ctx.P.member.userId, 'lead@a.example', 'admin@a.example', 'member@a.example', srv.widgetKey];
  if (ctx.A.workflow) ctx.A.secrets.push(ctx.A.workflow.id);
  return ctx;
}

// ---------------------------------------------------------------------

async function matrix(t, mode) {
  const table = await routeTable();
  const ctx = await setUp(t, `perm-${mode}`, table);

  const keys = table.map((r) => `${r.method} ${r.pattern}`);
  const unknown = keys.filter((k) => !SPECS[k]);
  assert.deepEqual(unknown, [], `routes in \`pitchbar routes\` that the permission matrix does not know how to exercise; add them to SPECS in ${__filename}`);
  const missing = Object.keys(SPECS).filter((k) => !keys.includes(k) && !SPECS[k].draft);
  assert.deepEqual(missing, [], 'routes of docs/api.md missing from `pitchbar routes`');
  assert.equal(new Set(keys).size, keys.length, 'a route appears twice in the table');
  for (const route of table) {
    assert.equal(route.permission, SPECS[`${route.method} ${route.pattern}`].perm, `${route.method} ${route.pattern}: the route table's permission differs from docs/api.md`);
  }

  const results = [];
  for (const route of table) {
    const key = `${route.method} ${route.pattern}`;
    const spec = SPECS[key];
    await t.test(key, async () => {
      const row = [key.padEnd(48)];
      const failures = [];
      for (const role of ROLES) {
        const want = expectation(route, spec, role);
        if (!want) {
          row.push('   -');
          continue;
        }
        try {
          const got = await exercise(ctx, route, spec, role, want, mode);
          row.push(String(got).padStart(4));
        } catch (err) {
          row.push(' ERR');
          failures.push(`${role}: ${err.message}`);
        }
      }
      results.push(row.join(' '));
      assert.deepEqual(failures, [], `${key}:\n  ${failures.join('\n  ')}`);
    });
  }
  t.diagnostic(`${mode} matrix: ${'route'.padEnd(41)} ${ROLES.map((r) => r.slice(0, 4).padStart(4)).join(' ')}`);
  for (const line of results) t.diagnostic(`${mode} matrix: ${line}`);
}

// One request of the matrix; throws when the answer is not the expected
// one; returns the status.
async function exercise(ctx, route, spec, role, want, mode) {
  const p = ctx.P[role];
  const sendMode = spec.mode || mode;
  const prep = await spec.prep(ctx, role, Boolean(want.allowed));
  const as = prep.as || p;
  const guard = want.refused || want.outsider;
  const before = guard ? await snapshot(ctx) : null;
  const r = await send(ctx, as, sendMode, route.method, prep.path, prep.body);
  const what = `${route.method} ${prep.path} as ${role} (${sendMode})`;
  assert.equal(r.status, want.status, `${what}: expected ${want.status}, got ${r.status} ${r.text}`);
  if (want.code) {
    assert.equal(r.json && r.json.error && r.json.error.code, want.code, `${what}: error code: ${r.text}`);
    assert.equal(typeof r.json.error.message, 'string', `${what}: no error message: ${r.text}`);
  }
  if (want.message) assert.match(r.json.error.message, want.message, `${what}: the message should say who manages integrations`);
  if (want.outsider) {
    for (const s of ctx.A.secrets) assert.ok(!r.text.includes(s), `${what}: the answer shows ${s} of workspace A: ${r.text}`);
  }
  if (want.allowed && spec.check) await spec.check(ctx, r, as.ws ? as : p, as);
  // Refused as soon as the headers are in: a body that could not even
  // be read changes nothing in the answer.
  if ((want.status === 401 || want.status === 403) && ['POST', 'PUT', 'PATCH'].includes(route.method)) {
    const bad = await request(route.method, `${ctx.srv.url}${prep.path}`, {
      body: '{"not json',
      headers: { ...credentials(as, sendMode, route.method), 'Content-Type': 'application/json' },
    });
    assert.equal(bad.status, want.status, `${what} with a malformed body: expected ${want.status}, got ${bad.status} ${bad.text}`);
    assert.equal(bad.json && bad.json.error && bad.json.error.code, want.code, `${what} with a malformed body: ${bad.text}`);
  }
  if (guard) {
    const after = await snapshot(ctx);
    assert.deepEqual(after, before, `${what}: workspace A changed`);
  }
  return r.status;
}

test('permission matrix with API tokens (generated from `pitchbar routes`)', { timeout: 300000 }, async (t) => {
  await matrix(t, 'token');
});

test('permission matrix with sign-in sessions and their CSRF token', { timeout: 300000 }, async (t) => {
  await matrix(t, 'session');
});
