/*
 * Group commit (see db_write() in db.h).  A thread that wants to write
 * queues its work; if no batch is running it leads one: it takes the queue
 * (up to BATCH_MAX writes), runs each in a savepoint of one transaction
 * and commits once, then wakes the writers it carried.  The writes that
 * queued meanwhile make the next batch, so under load a single commit,
 * the costly part, serves many requests.  Leaders run their batches on
 * one connection kept for the purpose, whose page cache and prepared
 * statements stay warm from batch to batch.
 *
 * That is for engines with one writer at a time (SQLite).  PostgreSQL
 * runs transactions side by side and groups their commits itself, so
 * there each write is a transaction of its own on the caller's
 * connection.
 */
#include <stdlib.h>

#include "core/log.h"
#include "core/rc.h"
#include "db/engine.h"

#define BATCH_MAX 64

static const char SQL_SAVEPOINT[] = "SAVEPOINT pb_write";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO pb_write";
static const char SQL_RELEASE[] = "RELEASE pb_write";

void
db_batch_init(struct db_batch *b)
{
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->finished, NULL);
	b->head = NULL;
	b->tail = &b->head;
	b->leading = false;
}

void
db_batch_release(struct db_batch *b)
{
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->finished);
}

/* Takes up to BATCH_MAX queued writes, in order; called with the lock. */
static struct db_write *
take_batch(struct db_batch *b)
{
	struct db_write *first = b->head, **end = &b->head;

	for (int n = 0; *end && n < BATCH_MAX; n++)
		end = &(*end)->next;
	b->head = *end;
	*end = NULL;
	if (b->head == NULL)
		b->tail = &b->head;
	return first;
}

/*
 * Runs one write in its savepoint; a failed write leaves no trace.
 * Returns the savepoint's own result: when one of those fails the
 * transaction is in an unknown state and the whole batch must go.
 */
static int
run_one(struct db *db, struct db_write *w)
{
	int rc = db_run(db, SQL_SAVEPOINT, "");

	if (rc != PB_OK)
		return rc;
	w->rc = w->fn(db, w->arg);
	if (w->rc != PB_OK && (rc = db_run(db, SQL_ROLLBACK_TO, "")) != PB_OK)
		return rc;
	return db_run(db, SQL_RELEASE, "");
}

static void
run_batch(struct db *db, struct db_write *list)
{
	int rc = db_begin(db);

	for (struct db_write *w = list; w && rc == PB_OK; w = w->next)
		rc = run_one(db, w);
	if (rc == PB_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	/* Nothing of the batch is kept when it fails as a whole. */
	for (struct db_write *w = list; w; w = w->next)
		if (rc != PB_OK && w->rc == PB_OK)
			w->rc = rc;
}

static void
mark_done(struct db_write *list)
{
	while (list) {
		struct db_write *next = list->next;

		list->done = true;
		list = next;
	}
}

/*
 * The connection to run a batch on: the writer, made on first use and
 * replaced once lost; the caller's own when none can be made.
 */
static struct db *
batch_connection(struct db_batch *b, struct db *own)
{
	if (b->writer && db_is_broken(b->writer)) {
		db_close_spare(b->writer);
		b->writer = NULL;
	}
	if (b->writer == NULL)
		b->writer = db_connect_spare(own->pool);
	return b->writer ? b->writer : own;
}

/* A write in a transaction of its own. */
static int
write_alone(struct db *db, db_write_fn fn, void *arg)
{
	int rc = db_begin(db);

	if (rc != PB_OK)
		return rc;
	if ((rc = fn(db, arg)) != PB_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

int
db_write(struct db *db, db_write_fn fn, void *arg)
{
	struct db_batch *b = &db->pool->batch;
	struct db_write me = {.fn = fn, .arg = arg, .rc = PB_ERR_DB};
	struct db_write *list;

	if (db->pool->ops->concurrent_writes)
		return write_alone(db, fn, arg);
	pthread_mutex_lock(&b->lock);
	*b->tail = &me;
	b->tail = &me.next;
	while (!me.done) {
		if (b->leading) {
			pthread_cond_wait(&b->finished, &b->lock);
			continue;
		}
		b->leading = true;
		list = take_batch(b);
		pthread_mutex_unlock(&b->lock);
		run_batch(batch_connection(b, db), list);
		pthread_mutex_lock(&b->lock);
		mark_done(list);
		b->leading = false;
		pthread_cond_broadcast(&b->finished);
	}
	pthread_mutex_unlock(&b->lock);
	return me.rc;
}
