'use strict';
// A minimal HTTP client on node:http: exact bytes out, raw bytes back, one
// fresh connection per request (no keep-alive pool that a killed server
// could leave with dead sockets).

const http = require('node:http');

/*
 * request(method, url, {headers, body, chunked, timeoutMs}) ->
 * {status, headers (lower-case names), raw (Buffer), text, json, ms}.
 * body may be a Buffer, a string (sent as UTF-8) or a plain object (sent
 * as JSON with Content-Type application/json unless one is given).
 * chunked: send the body with Transfer-Encoding: chunked, no Content-Length.
 */
function request(method, url, { headers = {}, body, chunked = false, timeoutMs = 30000 } = {}) {
  const hdrs = { ...headers };
  let payload = null;
  if (body !== undefined && body !== null) {
    if (Buffer.isBuffer(body)) {
      payload = body;
    } else if (typeof body === 'string') {
      payload = Buffer.from(body, 'utf8');
    } else {
      payload = Buffer.from(JSON.stringify(body), 'utf8');
      if (!Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-type')) {
        hdrs['Content-Type'] = 'application/json';
      }
    }
    if (!chunked) hdrs['Content-Length'] = String(payload.length);
  }
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: hdrs, agent: false }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(parts);
        const text = raw.toString('utf8');
        let json;
        try {
          json = text.length ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({
          status: res.statusCode,
          headers: res.headers,
          raw,
          text,
          json,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (payload && chunked) {
      // A few chunks, so that no length is known up front.
      const step = Math.max(1, Math.ceil(payload.length / 4));
      for (let i = 0; i < payload.length; i += step) req.write(payload.subarray(i, i + step));
      req.end();
    } else {
      req.end(payload || undefined);
    }
  });
}

// Posts each body with at most `width` requests in flight; returns the
// answers in order (a refused connection counts as status 0).
async function postAll(bodies, width, post) {
  const answers = new Array(bodies.length);
  let next = 0;
  async function lane() {
    while (next < bodies.length) {
      const i = next++;
      try {
        answers[i] = await post(bodies[i], i);
      } catch (err) {
        answers[i] = { status: 0, text: String(err) };
      }
    }
  }
  await Promise.all(Array.from({ length: width }, lane));
  return answers;
}

module.exports = { postAll, request };
