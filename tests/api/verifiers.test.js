'use strict';
// The receiver's two verifiers checked on their own, so that a verifier
// that accepted anything could not make the webhook tests pass. Vectors
// from tests/fixtures/webhooks (copies of the shared corpus).

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { Webhook } = require('standardwebhooks');
const { verifyPitchbarSignature, verifyStandardWebhook } = require('./lib/receiver');

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'webhooks');
const PITCHBAR_CASES = require(path.join(FIXTURES, 'pitchbar.vectors.DERIVED.json')).cases;
const SECRET = PITCHBAR_CASES[0].secret;
const PITCHBAR_VECTORS = PITCHBAR_CASES.map((c) => ({
  t: c.timestamp,
  id: c.webhook_id,
  body: c.body_utf8,
  pitchbar: c.x_pitchbar_signature,
  standard: c.webhook_signature,
}));
const STANDARD_VECTORS = require(path.join(FIXTURES, 'standard-webhooks.vectors.json'))
  .vectors.filter((v) => typeof v.payload === 'string');

test('X-Pitchbar-Signature verifier: accepts the vectors, refuses every tampering', () => {
  for (const v of PITCHBAR_VECTORS) {
    const body = Buffer.from(v.body, 'utf8');
    assert.equal(verifyPitchbarSignature(body, v.pitchbar, SECRET, v.t), v.t);
    assert.equal(verifyPitchbarSignature(body, v.pitchbar, SECRET, v.t + 300), v.t, 'within 5 minutes');
    assert.throws(() => verifyPitchbarSignature(body, v.pitchbar, SECRET, v.t + 301), /5 minutes/);
    assert.throws(() => verifyPitchbarSignature(body, v.pitchbar, SECRET, v.t - 301), /5 minutes/);
    assert.throws(() => verifyPitchbarSignature(Buffer.concat([body, Buffer.from(' ')]), v.pitchbar, SECRET, v.t), /matches/);
    assert.throws(() => verifyPitchbarSignature(body, v.pitchbar, SECRET.slice(6), v.t), /matches/, 'the key includes whsec_');
    assert.throws(() => verifyPitchbarSignature(body, v.pitchbar.replace(`t=${v.t}`, `t=${v.t + 1}`), SECRET, v.t), /matches/);
    assert.throws(() => verifyPitchbarSignature(body, v.pitchbar.toUpperCase().replace('T=', 't=').replace('V1=', 'v1='), SECRET, v.t), /hex/);
    assert.throws(() => verifyPitchbarSignature(body, undefined, SECRET, v.t), /no X-Pitchbar-Signature/);
    assert.throws(() => verifyPitchbarSignature(body, `t=${v.t}`, SECRET, v.t), /no v1/);
    // During a rotation, one matching v1 among several is enough.
    const [tPart, v1Part] = v.pitchbar.split(',');
    assert.equal(verifyPitchbarSignature(body, `${tPart},v1=${'0'.repeat(64)},${v1Part}`, SECRET, v.t), v.t);
  }
});

test('Standard Webhooks: the official library agrees with the vectors, and verification refuses tampering', () => {
  const wh = new Webhook(SECRET);
  for (const v of PITCHBAR_VECTORS) {
    assert.equal(wh.sign(v.id, new Date(v.t * 1000), Buffer.from(v.body, 'utf8')), v.standard);
  }
  assert.ok(STANDARD_VECTORS.length >= 2);
  for (const v of STANDARD_VECTORS) {
    const vendor = new Webhook(v.secret);
    assert.equal(vendor.sign(v.msg_id, new Date(v.timestamp * 1000), v.payload), v.expected_signature);
  }

  // Fresh headers, computed by hand, verify; any change fails.
  const body = Buffer.from('{"id":"evt_x","event":"lead.captured","data":{"name":"Zoë 🎯"}}', 'utf8');
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = crypto.createHmac('sha256', Buffer.from(SECRET.slice(6), 'base64')).update(`msg_x.${ts}.`).update(body).digest('base64');
  const headers = { 'webhook-id': 'msg_x', 'webhook-timestamp': ts, 'webhook-signature': `v1,${sig}` };
  assert.deepEqual(verifyStandardWebhook(body, headers, SECRET), JSON.parse(body.toString('utf8')));
  assert.throws(() => verifyStandardWebhook(Buffer.concat([body, Buffer.from('\n')]), headers, SECRET));
  assert.throws(() => verifyStandardWebhook(body, { ...headers, 'webhook-id': 'msg_y' }, SECRET));
  assert.throws(() => verifyStandardWebhook(body, { ...headers, 'webhook-timestamp': String(Number(ts) - 400) }, SECRET));
  assert.throws(() => verifyStandardWebhook(body, { ...headers, 'webhook-signature': undefined }, SECRET));
  assert.throws(() => verifyStandardWebhook(body, headers, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'));
  // Two signatures separated by a space (a rotation): one good is enough.
  assert.ok(verifyStandardWebhook(body, { ...headers, 'webhook-signature': `v1,AAAA v1,${sig}` }, SECRET));
});
