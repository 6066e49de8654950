'use strict';
// GET /api/v1/agents: where a member finds the widget key again, in their
// own workspace only.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { api } = require('./lib/api');
const { cli } = require('./lib/cli');

test('the agents list gives each agent its widget key, and only the workspace\'s own', { timeout: 60000 }, async (t) => {
  const srv = await startServer({ label: 'agents' });
  t.after(() => srv.cleanup());
  const client = api(srv);

  const r = await client.get('/api/v1/agents');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.length, 1);
  const [agent] = r.json.data;
  assert.deepEqual(Object.keys(agent).sort(), ['created_at', 'id', 'name', 'widget_key']);
  assert.equal(agent.widget_key, srv.widgetKey);
  assert.match(agent.id, /^agt_/);

  // A second workspace's agent is not listed in the first, and the other way.
  const other = await cli(srv).init({ workspace: 'Other', email: 'other@example.com' });
  const otherToken = await cli(srv).tokenCreate({ email: 'other@example.com', workspace: 'Other' });
  const mine = await client.get('/api/v1/agents');
  assert.deepEqual(mine.json.data.map((a) => a.widget_key), [srv.widgetKey]);
  const theirs = await client.get('/api/v1/agents', { token: otherToken });
  assert.deepEqual(theirs.json.data.map((a) => a.widget_key), [other.widget_key]);

  assert.equal((await client.get('/api/v1/agents', { token: null })).status, 401);
  await srv.stop();
});
