/*
 * Every job type the service runs: the workers of serve and worker run
 * jobs with their handlers, and pitchbar jobs discard ends with their
 * discard functions what a discarded job was to do.
 */
#include "cmd/cmd.h"
#include "jobs/job.h"
#include "webhooks/webhook.h"
#include "workflows/run.h"

/* A job type that does nothing: what the queue itself costs (make bench). */
static void
noop_job(struct job_ctx *ctx, const struct job *job, struct job_outcome *out)
{
	(void)ctx;
	(void)job;
	(void)out;
}

static const struct job_type job_types[] = {
    {WEBHOOK_JOB, webhook_deliver_job, 0, run_attempt_discard},
    {WEBHOOK_STEP_JOB, webhook_step_job, 0, run_step_discard},
    {"noop", noop_job, 0, NULL},
};

const struct job_type *
cmd_job_types(int *n)
{
	*n = sizeof(job_types) / sizeof(job_types[0]);
	return job_types;
}
