'use strict';
// Polling with a deadline, and the few places where waiting a fixed time is
// the only way to show that something did NOT happen.

const { setTimeout: sleep } = require('node:timers/promises');

// Slower builds (ThreadSanitizer) get every deadline multiplied.
const SLOW = process.env.PITCHBAR_TEST_TSAN === '1' ? 4 : 1;

function scaled(ms) {
  return ms * SLOW;
}

// Calls fn until it returns a truthy value (which is returned) or the
// deadline passes (throws, naming what was awaited and the last value).
// what may be a function, called then, to describe the state reached.
async function waitUntil(fn, { timeoutMs = 10000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + scaled(timeoutMs);
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) {
      let shown;
      try {
        shown = JSON.stringify(last);
      } catch {
        shown = String(last);
      }
      const label = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${scaled(timeoutMs)} ms waiting for ${label} (last: ${shown})`);
    }
    await sleep(intervalMs);
  }
}

// A deliberate pause, used only to give a wrong behaviour (a retry, a
// duplicate) the chance to show itself before asserting its absence.
function settle(ms) {
  return sleep(scaled(ms));
}

module.exports = { waitUntil, settle, scaled, sleep, SLOW };
