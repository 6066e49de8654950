/*
 * The long-running commands.  serve runs the HTTP API and, unless told
 * --workers 0, background workers in one process; worker runs workers
 * only.  Both stop on SIGTERM or SIGINT: no new requests or jobs, the work
 * in flight finished within PITCHBAR_SHUTDOWN_TIMEOUT_MS, exit 0.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts/account.h"
#include "api/api.h"
#include "cmd/cmd.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/num.h"
#include "core/rc.h"
#include "crypto/secret.h"
#include "db/db.h"
#include "events/event.h"
#include "http/http.h"
#include "jobs/job.h"
#include "net/net.h"
#include "webhooks/webhook.h"
#include "workflows/workflow.h"

#define WORKER_POLL_MS 2000

static const char serve_usage[] =
    "usage: pitchbar serve [--listen HOST:PORT] [--workers N]\n"
    "Serves the HTTP API and the web app, and runs N background workers\n"
    "(PITCHBAR_WORKERS, default 4; 0 serves HTTP only).  On an empty\n"
    "database it first creates a workspace and prints how to sign in.\n";
static const char worker_usage[] =
    "usage: pitchbar worker [--workers N]\n"
    "Runs N background workers (PITCHBAR_WORKERS, default 4), no HTTP.\n";

struct run_options {
	const char *listen;
	int workers;
};

static void *
worker_thread_init(void)
{
	return net_client_new();
}

static void
worker_thread_free(void *local)
{
	net_client_free(local);
}

/* Wiring done once per process, before any thread starts. */
static void
wire_domain(void)
{
	event_subscribe(webhook_fanout);
	event_subscribe(workflow_fanout);
	workflow_step_type_add(&webhook_step_type);
	metrics_describe("pitchbar_webhook_deliveries_total", METRIC_COUNTER,
	    "Webhook delivery attempts by outcome and error.");
}

/*
 * Reads the options of serve (http) or worker: 0 or 2 when the command is
 * done (help, or a usage error), -1 to go on.
 */
static int
parse_options(int argc, char **argv, const char *usage, bool http,
    struct run_options *opts)
{
	static const struct option long_opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"workers", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *what = http ? "serve" : "worker";
	int64_t n;
	int c;

	opts->listen = NULL;
	opts->workers = -1;
	while ((c = cmd_getopt(argc, argv, long_opts, what, usage)) != -1) {
		if (c == 'h' || c == '?')
			return c == 'h' ? 0 : 2;
		if (c == 'l' && !http)
			return cmd_bad_usage(usage, "worker takes no --listen");
		if (c == 'l') {
			opts->listen = optarg;
		} else if (num_parse_i64(optarg, 0, 64, &n) == PB_OK) {
			opts->workers = (int)n;
		} else {
			return cmd_bad_usage(usage,
			    "%s: --workers expects a whole number from 0 to 64",
			    what);
		}
	}
	if (optind != argc)
		return cmd_bad_usage(usage, "%s: unexpected argument %s", what,
		    argv[optind]);
	return -1;
}

/*
 * Prints err, naming --listen rather than PITCHBAR_LISTEN when the
 * address came from there; returns 1.
 */
static int
fail_listen(const struct run_options *opts, const char *err)
{
	static const char var[] = "PITCHBAR_LISTEN:";

	if (opts->listen && strncmp(err, var, strlen(var)) == 0)
		return cmd_fail("--listen:%s", err + strlen(var));
	return cmd_fail("%s", err);
}

/* On an empty database: a workspace, its Owner, and how to sign in. */
static int
first_start(struct db_pool *pool, const char *base_url)
{
	const struct config *cfg = config_get();
	struct account_init init;
	struct db *db = db_acquire(pool);
	const char *why = "the database is unavailable";
	char *token = NULL;
	bool empty = false;
	int rc;

	if (db == NULL)
		return cmd_fail("%s", why);
	if ((rc = account_is_empty(db, &empty)) != PB_OK || !empty) {
		db_release(db);
		return rc == PB_OK ? 0 : cmd_fail("%s", why);
	}
	rc = account_init(db, "My workspace", cfg->init_email, NULL, NULL,
	    cfg->password_cost == CONFIG_COST_INTERACTIVE, &init, &why);
	if (rc == PB_OK)
		rc = token_create(db, init.email, init.workspace_id,
		    "first start", &token, &why);
	db_release(db);
	if (rc == PB_OK)
		printf("\nFirst start: a workspace was created.\n"
		       "  Sign in at   %s/login\n"
		       "  E-mail       %s\n"
		       "  Password     %s\n"
		       "  API token    %s\n"
		       "  Widget key   %s\n"
		       "These are shown once and never logged; keep them.\n\n",
		    base_url, init.email, init.password, token,
		    init.widget_key);
	fflush(stdout);
	secret_free(token);
	account_init_release(&init);
	return rc == PB_OK ? 0 : cmd_fail("first start: %s", why);
}

static int
wait_for_signal(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigwait(&set, &sig);
	return sig;
}

/* Blocks the stop signals in this thread and every thread it starts. */
static void
block_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static struct job_workers *
start_workers(struct db_pool *pool, int threads, struct job_worker_config *wc)
{
	const struct job_type *types;
	int ntypes;

	if (threads <= 0)
		return NULL;
	types = cmd_job_types(&ntypes);
	*wc = (struct job_worker_config){
	    .pool = pool,
	    .threads = threads,
	    .lease_ms = config_get()->job_lease_ms,
	    .lane_cap = (int)config_get()->endpoint_concurrency,
	    .poll_ms = WORKER_POLL_MS,
	    .types = types,
	    .ntypes = ntypes,
	    .thread_init = worker_thread_init,
	    .thread_free = worker_thread_free,
	};
	return job_workers_start(wc);
}

/*
 * Stops taking requests and jobs, and gives the ones in flight until the
 * shutdown time-out, HTTP and workers at once.  A worker still busy then
 * is left behind: the process exits without freeing what it uses, and its
 * job runs again once its lease expires.
 */
static void
shut_down(struct http_server *srv, struct job_workers *workers,
    struct db_pool *pool)
{
	int64_t deadline = clock_mono_ms() + config_get()->shutdown_timeout_ms;

	job_workers_quiesce(workers);
	http_server_stop(srv, deadline);
	if (!job_workers_stop(workers, deadline)) {
		log_warn(NULL, "service.stopped", "forced=1");
		_exit(0);
	}
	cmd_stop(pool);
	log_info(NULL, "service.stopped", NULL);
}

static int
run(const struct run_options *opts, bool http)
{
	const struct config *cfg = config_get();
	struct http_server *srv = NULL;
	struct job_worker_config wc;
	struct job_workers *workers;
	int threads, http_threads;
	struct db_pool *pool;
	char err[512];
	int sig;

	if (config_load(err, sizeof(err)) != PB_OK)
		return fail_listen(opts, err);
	threads = opts->workers >= 0 ? opts->workers : (int)cfg->workers;
	http_threads = http ? (int)cfg->http_threads : 0;
	block_signals();
	if (!cmd_start(http_threads + threads + 4, CMD_VAULT | CMD_CREATE,
		&pool))
		return 1;
	wire_domain();
	/* Bind first, so a busy port fails before anything is created. */
	if (http &&
	    http_server_start(cfg->listen, http_threads, api_app(pool), &srv,
		err, sizeof(err)) != PB_OK) {
		cmd_stop(pool);
		return fail_listen(opts, err);
	}
	if (http && first_start(pool, cfg->base_url) != 0) {
		http_server_stop(srv, 0);
		cmd_stop(pool);
		return 1;
	}
	workers = start_workers(pool, threads, &wc);
	log_info(NULL, "service.started", "http=%s port=%d workers=%d",
	    http ? "on" : "off", srv ? http_server_port(srv) : 0, threads);
	if (srv)
		printf("pitchbar: serving on %s\n", cfg->base_url);
	fflush(stdout);
	sig = wait_for_signal();
	log_info(NULL, "service.stopping", "signal=%d", sig);
	shut_down(srv, workers, pool);
	return 0;
}

int
cmd_serve(int argc, char **argv)
{
	struct run_options opts;
	int rc = parse_options(argc, argv, serve_usage, true, &opts);

	if (rc >= 0)
		return rc;
	if (opts.listen)
		setenv("PITCHBAR_LISTEN", opts.listen, 1);
	return run(&opts, true);
}

int
cmd_worker(int argc, char **argv)
{
	struct run_options opts;
	int rc = parse_options(argc, argv, worker_usage, false, &opts);

	return rc >= 0 ? rc : run(&opts, false);
}
