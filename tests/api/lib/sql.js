'use strict';
// Plain SQL on a running server's database, for the few states no request
// can reach (a job that failed for good): the sqlite3 command on a SQLite
// file, psql on PostgreSQL. Tests use it to set the scene, never to check
// what the service answers.

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');

// sql(database, query) -> the rows as text, one per line, columns split
// by "|"; database is a server's `database` (sqlite:PATH or postgres://).
function sql(database, query) {
  if (database.startsWith('sqlite:')) {
    // The server holds the file open: wait for its locks, not fail.
    return execFileSync('sqlite3', ['-cmd', '.timeout 5000', database.slice('sqlite:'.length), query], { encoding: 'utf8' }).trim();
  }
  return execFileSync('psql', ['-Atq', '-v', 'ON_ERROR_STOP=1', database, '-c', query], { encoding: 'utf8' }).trim();
}

// Marks the job id failed as a worker does after its last attempt: its
// attempts used up, the lease cleared, an error recorded.
function failJob(database, id, error = 'attempts exhausted (set by the test)') {
  assert.match(id, /^job_[0-9A-Z]+$/);
  const quoted = `'${String(error).replace(/'/g, "''")}'`;
  const now = Date.now();
  sql(database, `UPDATE jobs SET state = 'failed', attempts = max_attempts, lease_until = NULL, last_error = ${quoted}, updated_at = ${now} WHERE id = '${id}'`);
}

module.exports = { sql, failJob };
