-- Claims walk due jobs by state, then time, then id: an index in that
-- order spares them a sort of the whole queue.

DROP INDEX jobs_ready;
CREATE INDEX jobs_due ON jobs (state, run_at, id);
