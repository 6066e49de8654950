'use strict';
// A real local webhook receiver. It records every request (method, path,
// headers, the raw body as a Buffer), answers as the test programs it
// (a status, a redirect, or hanging past the time-out), and verifies each
// request both ways a customer would:
//   - X-Pitchbar-Signature by hand with node:crypto (HMAC-SHA256 over
//     "<t>.<raw body>" keyed with the secret string as shown, whsec_
//     prefix included; constant-time compare; t within 5 minutes);
//   - the Standard Webhooks headers with the official standardwebhooks
//     package.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const { Webhook } = require('standardwebhooks');
const { freePort } = require('./server');
const { waitUntil } = require('./wait');

const TOLERANCE_S = 5 * 60;

// Verifies X-Pitchbar-Signature the way existing Pitchbar receivers do.
// Returns t; throws with the reason otherwise.
function verifyPitchbarSignature(rawBody, header, secret, nowS = Math.floor(Date.now() / 1000)) {
  if (typeof header !== 'string' || header.length === 0) throw new Error('no X-Pitchbar-Signature header');
  let t = null;
  const v1 = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`malformed signature part "${part}" in "${header}"`);
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (name === 't') t = value;
    else if (name === 'v1') v1.push(value);
  }
  if (t === null || !/^[0-9]+$/.test(t)) throw new Error(`no unix-seconds t= in "${header}"`);
  if (Math.abs(nowS - Number(t)) > TOLERANCE_S) throw new Error(`t=${t} is not within 5 minutes of ${nowS}`);
  if (v1.length === 0) throw new Error(`no v1= in "${header}"`);
  for (const sig of v1) {
    if (!/^[0-9a-f]{64}$/.test(sig)) throw new Error(`v1=${sig} is not 64 lowercase hex digits`);
  }
  const expected = crypto
    .createHmac('sha256', Buffer.from(secret, 'ascii'))
    .update(Buffer.from(`${t}.`, 'ascii'))
    .update(rawBody)
    .digest();
  const ok = v1.some((sig) => crypto.timingSafeEqual(Buffer.from(sig, 'hex'), expected));
  if (!ok) throw new Error('no v1 signature matches HMAC-SHA256(secret, "<t>.<raw body>")');
  return Number(t);
}

// Verifies the Standard Webhooks headers with the official library.
// Returns the parsed payload; throws otherwise.
function verifyStandardWebhook(rawBody, headers, secret) {
  const wh = new Webhook(secret);
  return wh.verify(rawBody, {
    'webhook-id': headers['webhook-id'],
    'webhook-timestamp': headers['webhook-timestamp'],
    'webhook-signature': headers['webhook-signature'],
  });
}

function attempt(fn) {
  try {
    fn();
    return { ok: true, error: null };
  } catch (err) {
    return { ok: false, error: err.message };
  }
}

/*
 * startReceiver({secret, respond}) -> receiver.
 * respond: the default behaviour, {status, headers, body, delayMs} or {hang: true}
 * or a function (request record) -> one of those. receiver.next(...b)
 * queues behaviours for the next requests, in order, before the default.
 */
async function startReceiver({ secret = null, respond = { status: 200, body: 'ok' } } = {}) {
  const requests = [];
  const queued = [];
  const hanging = new Set();
  let fallback = respond;

  const server = http.createServer((req, res) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const rec = {
        method: req.method,
        path: req.url,
        headers: req.headers,
        body,
        at: Date.now(),
        json: undefined,
        secret: receiver.secret,
      };
      try {
        rec.json = JSON.parse(body.toString('utf8'));
      } catch {
        /* left undefined: a test that needs it will say so */
      }
      if (receiver.secret) {
        rec.pitchbar = attempt(() => verifyPitchbarSignature(body, req.headers['x-pitchbar-signature'], receiver.secret));
        rec.standard = attempt(() => verifyStandardWebhook(body, req.headers, receiver.secret));
      } else {
        rec.pitchbar = rec.standard = { ok: false, error: 'the receiver was given no secret' };
      }
      requests.push(rec);
      let b = queued.length ? queued.shift() : fallback;
      if (typeof b === 'function') b = b(rec);
      if (b.hang) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const answer = () => {
        res.writeHead(b.status || 200, { 'Content-Type': 'text/plain', ...(b.headers || {}) });
        res.end(b.body === undefined ? '' : b.body);
      };
      if (b.delayMs) setTimeout(answer, b.delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  const receiver = {
    port,
    secret,
    requests,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    respond(b) {
      fallback = b;
    },
    next(...b) {
      queued.push(...b);
    },
    // Resolves with the requests once at least n arrived.
    waitFor(n, timeoutMs = 15000) {
      return waitUntil(() => (requests.length >= n ? requests.slice() : false), {
        timeoutMs,
        intervalMs: 25,
        what: `${n} webhook request(s) at the receiver (have ${requests.length})`,
      });
    },
    // Asserts that a recorded request verified both ways.
    assertVerified(rec) {
      assert.equal(rec.pitchbar.ok, true, `X-Pitchbar-Signature did not verify: ${rec.pitchbar.error}`);
      assert.equal(rec.standard.ok, true, `Standard Webhooks signature did not verify: ${rec.standard.error}`);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return receiver;
}

// A URL where nothing listens (a port picked free and left closed).
async function closedUrl(path = '/hook') {
  return `http://127.0.0.1:${await freePort()}${path}`;
}

module.exports = { startReceiver, closedUrl, verifyPitchbarSignature, verifyStandardWebhook };
