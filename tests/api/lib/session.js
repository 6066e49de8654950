'use strict';
// Sign-in sessions as the web app uses them: POST /api/v1/session, the
// pb_session cookie sent back by hand, and X-CSRF-Token on changes.

const assert = require('node:assert/strict');
const { request } = require('./http');

const COOKIE = 'pb_session';

/*
 * The Set-Cookie of name in an answer's headers, parsed:
 * {raw, value, attrs} with attribute names lower-cased (flags true), or
 * null when there is none.
 */
function setCookie(headers, name = COOKIE) {
  const all = [].concat(headers['set-cookie'] || []);
  const raw = all.find((c) => c.startsWith(`${name}=`));
  if (!raw) return null;
  const [pair, ...rest] = raw.split(';');
  const attrs = {};
  for (const part of rest) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) attrs[p.toLowerCase()] = true;
    else attrs[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
  }
  return { raw, value: pair.slice(name.length + 1), attrs };
}

/*
 * signIn(srv, email, password, {cookie, headers}) -> {r, cookie, csrf,
 * set}: r the answer; cookie the new session cookie's value (null if
 * none), csrf the answer's csrf_token, set the parsed Set-Cookie.
 * cookie: a pb_session value to send along (fixation tests).
 */
async function signIn(srv, email, password, { cookie, headers = {} } = {}) {
  const h = { ...headers };
  if (cookie) h.Cookie = `${COOKIE}=${cookie}`;
  const r = await request('POST', `${srv.url}/api/v1/session`, { body: { email, password }, headers: h });
  const set = setCookie(r.headers);
  return { r, cookie: set ? set.value : null, csrf: r.json ? r.json.csrf_token : undefined, set };
}

// signIn that must succeed: returns {cookie, csrf, json}.
async function signInOk(srv, email, password) {
  const s = await signIn(srv, email, password);
  assert.equal(s.r.status, 200, `sign-in of ${email}: ${s.r.status} ${s.r.text}`);
  assert.ok(s.cookie, `sign-in of ${email} set no ${COOKIE} cookie: ${JSON.stringify(s.r.headers['set-cookie'])}`);
  assert.equal(typeof s.csrf, 'string', `sign-in of ${email} gave no csrf_token: ${s.r.text}`);
  return { cookie: s.cookie, csrf: s.csrf, json: s.r.json };
}

/*
 * sessionClient(srv, {cookie, csrf}) -> {get, post, patch, put, del}
 * sending the cookie, and X-CSRF-Token on every method but GET unless
 * opts.csrf says otherwise (null: none; a string: that one).
 */
function sessionClient(srv, sess) {
  const call = (method, path, body, { csrf, headers = {} } = {}) => {
    const h = { Cookie: `${COOKIE}=${sess.cookie}`, ...headers };
    const token = csrf === undefined ? (method === 'GET' ? null : sess.csrf) : csrf;
    if (token !== null) h['X-CSRF-Token'] = token;
    return request(method, `${srv.url}${path}`, { body, headers: h });
  };
  return {
    get: (path, opts) => call('GET', path, undefined, opts),
    post: (path, body, opts) => call('POST', path, body, opts),
    patch: (path, body, opts) => call('PATCH', path, body, opts),
    put: (path, body, opts) => call('PUT', path, body, opts),
    del: (path, opts) => call('DELETE', path, undefined, opts),
  };
}

module.exports = { COOKIE, setCookie, signIn, signInOk, sessionClient };
