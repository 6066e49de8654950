'use strict';
// The set-up most tests share: a fresh server, a verifying receiver and an
// endpoint subscribed to lead.captured pointing at it, all torn down with
// the test.

const { startServer } = require('./server');
const { startReceiver } = require('./receiver');
const { api } = require('./api');

/*
 * withEndpoint(t, {label, env, respond, path}) -> {srv, rcv, client,
 * endpoint}; respond is the receiver's default answer.
 */
async function withEndpoint(t, { label, env, respond, path = '/hook' } = {}) {
  const srv = await startServer({ label, env });
  t.after(() => srv.cleanup());
  const rcv = await startReceiver(respond ? { respond } : undefined);
  t.after(() => rcv.close());
  const client = api(srv);
  const endpoint = await client.createEndpoint(rcv.url(path));
  rcv.secret = endpoint.secret;
  return { srv, rcv, client, endpoint };
}

module.exports = { withEndpoint };
