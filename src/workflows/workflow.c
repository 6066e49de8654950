/* Workflows: storage, changes, JSON (see workflow.h). */
#include <stdlib.h>
#include <string.h>

#include "accounts/audit.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/rc.h"
#include "db/db.h"
#include "workflows/workflow.h"

static const char SQL_INSERT[] =
    "INSERT INTO workflows (id, workspace_id, name, trigger_event, enabled,"
    " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";
static const char SQL_UPDATE[] =
    "UPDATE workflows SET name = COALESCE($3, name),"
    " trigger_event = COALESCE($4, trigger_event),"
    " enabled = COALESCE($5, enabled), updated_at = $6"
    " WHERE id = $1 AND workspace_id = $2";
static const char SQL_DELETE[] =
    "DELETE FROM workflows WHERE id = $1 AND workspace_id = $2";
static const char SQL_INSERT_STEP[] =
    "INSERT INTO workflow_steps (id, workflow_id, workspace_id, position,"
    " type, config, secret_enc, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char SQL_DELETE_STEPS[] =
    "DELETE FROM workflow_steps WHERE workflow_id = $1";
static const char SQL_STEP_KEPT[] =
    "SELECT type, secret_enc, created_at FROM workflow_steps"
    " WHERE id = $1 AND workflow_id = $2";
#define WORKFLOW_COLUMNS                                                       \
	"SELECT id, name, trigger_event, enabled, created_at, updated_at"      \
	" FROM workflows"
static const char SQL_GET[] =
    WORKFLOW_COLUMNS " WHERE id = $1 AND workspace_id = $2";
static const char SQL_LIST[] = WORKFLOW_COLUMNS
    " WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3";
static const char SQL_STEPS[] =
    "SELECT id, type, config, secret_enc FROM workflow_steps"
    " WHERE workflow_id = $1 ORDER BY position";

/* A change to one workflow, as handed to db_write(). */
struct change {
	const struct principal *who;
	const char *id;
	const struct workflow_input *in;
	const char *why; /* update: why a step was refused */
};

/* A kept step's type and sealed secret, as stored. */
struct kept {
	char *type, *sealed;
	int64_t created_at;
};

static int
load_kept(struct db *db, const char *workflow_id, const char *step_id,
    struct kept *k)
{
	struct db_stmt *st =
	    db_query(db, SQL_STEP_KEPT, "ss", step_id, workflow_id);
	int rc;

	memset(k, 0, sizeof(*k));
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	k->type = db_col_dup(st, 0);
	k->sealed = db_col_null(st, 1) ? NULL : db_col_dup(st, 1);
	k->created_at = db_col_i64(st, 2);
	db_reset(st);
	return PB_OK;
}

static int
insert_step(struct db *db, const struct change *c, int position,
    const char *step_id, const char *sealed, int64_t created_at)
{
	const struct workflow_step_input *s = &c->in->steps[position];

	return db_run(db, SQL_INSERT_STEP, "sssisssi", step_id, c->id,
	    c->who->workspace_id, (int64_t)position, s->type->name, s->config,
	    sealed, created_at);
}

static int
insert_new_step(struct db *db, const struct change *c, int position)
{
	const struct workflow_step_type *type = c->in->steps[position].type;
	char step_id[ID_SIZE], *sealed = NULL;
	int rc;

	id_new("wfs_", step_id);
	if (type->new_secret)
		sealed = type->new_secret(c->who->workspace_id, step_id);
	rc = insert_step(db, c, position, step_id, sealed, clock_now_ms());
	free(sealed);
	return rc;
}

/*
 * The steps of a change, in order; a kept step keeps its id and secret
 * (its row, read before the old rows go, in kept[]).
 */
static int
insert_steps(struct db *db, struct change *c, struct kept *kept)
{
	int rc = PB_OK;

	for (int i = 0; rc == PB_OK && i < c->in->nsteps; i++) {
		if (c->in->steps[i].id == NULL || kept == NULL)
			rc = insert_new_step(db, c, i);
		else
			rc = insert_step(db, c, i, c->in->steps[i].id,
			    kept[i].sealed, kept[i].created_at);
	}
	return rc;
}

static bool
given_twice(const struct workflow_input *in, int i)
{
	for (int j = 0; j < i; j++)
		if (in->steps[j].id &&
		    strcmp(in->steps[j].id, in->steps[i].id) == 0)
			return true;
	return false;
}

/* Reads the steps an update keeps, checking each is one of this workflow's. */
static int
read_kept(struct db *db, struct change *c, struct kept *kept)
{
	const struct workflow_input *in = c->in;
	int rc;

	for (int i = 0; i < in->nsteps; i++) {
		if (in->steps[i].id == NULL)
			continue;
		rc = load_kept(db, c->id, in->steps[i].id, &kept[i]);
		if (rc == PB_ERR_NOT_FOUND || given_twice(in, i)) {
			c->why = "a step \"id\" is not one of this workflow's "
				 "steps, or is given twice";
			return PB_ERR_INVALID;
		}
		if (rc != PB_OK)
			return rc;
		if (strcmp(kept[i].type, in->steps[i].type->name) != 0) {
			c->why = "a kept step cannot change its type";
			return PB_ERR_INVALID;
		}
	}
	return PB_OK;
}

static int
replace_steps(struct db *db, struct change *c)
{
	struct kept kept[WORKFLOW_STEPS_MAX] = {0};
	int rc = read_kept(db, c, kept);

	if (rc == PB_OK)
		rc = db_run(db, SQL_DELETE_STEPS, "s", c->id);
	if (rc == PB_OK)
		rc = insert_steps(db, c, kept);
	for (int i = 0; i < WORKFLOW_STEPS_MAX; i++) {
		free(kept[i].type);
		free(kept[i].sealed);
	}
	return rc;
}

/* What a change set, for the audit log (secrets never). */
static cJSON *
input_details(const struct workflow_input *in)
{
	cJSON *d = cJSON_CreateObject(), *steps;

	if (in->name)
		cJSON_AddStringToObject(d, "name", in->name);
	if (in->trigger)
		cJSON_AddStringToObject(d, "trigger", in->trigger);
	if (in->enabled >= 0)
		cJSON_AddBoolToObject(d, "enabled", in->enabled);
	if (in->nsteps < 0)
		return d;
	steps = cJSON_AddArrayToObject(d, "steps");
	for (int i = 0; i < in->nsteps; i++) {
		cJSON *step = NULL;

		if (json_parse(in->steps[i].config, strlen(in->steps[i].config),
			&step) != PB_OK)
			step = cJSON_CreateObject();
		cJSON_AddStringToObject(step, "type", in->steps[i].type->name);
		cJSON_AddItemToArray(steps, step);
	}
	return d;
}

static int
create_in_txn(struct db *db, void *arg)
{
	struct change *c = arg;
	int64_t enabled = c->in->enabled < 0 ? 1 : c->in->enabled;
	int rc;

	rc = db_run(db, SQL_INSERT, "ssssii", c->id, c->who->workspace_id,
	    c->in->name, c->in->trigger, enabled, clock_now_ms());
	if (rc == PB_OK)
		rc = insert_steps(db, c, NULL);
	if (rc == PB_OK)
		rc = audit_record(db, c->who, "workflow.created", "workflow",
		    c->id, input_details(c->in));
	return rc;
}

int
workflow_create(struct db *db, const struct principal *who,
    const struct workflow_input *in, char id[ID_SIZE])
{
	struct change c = {who, id, in, NULL};

	id_new("wf_", id);
	return db_write(db, create_in_txn, &c);
}

static int
update_in_txn(struct db *db, void *arg)
{
	struct change *c = arg;
	const struct workflow_input *in = c->in;
	int rc;

	if (in->enabled >= 0)
		rc = db_run(db, SQL_UPDATE, "ssssii", c->id,
		    c->who->workspace_id, in->name, in->trigger,
		    (int64_t)in->enabled, clock_now_ms());
	else
		rc = db_run(db, SQL_UPDATE, "ssssni", c->id,
		    c->who->workspace_id, in->name, in->trigger,
		    clock_now_ms());
	if (rc == PB_OK && db_changes(db) == 0)
		return PB_ERR_NOT_FOUND;
	if (rc == PB_OK && in->nsteps >= 0)
		rc = replace_steps(db, c);
	if (rc == PB_OK)
		rc = audit_record(db, c->who, "workflow.updated", "workflow",
		    c->id, input_details(in));
	return rc;
}

int
workflow_update(struct db *db, const struct principal *who, const char *id,
    const struct workflow_input *in, const char **why)
{
	struct change c = {who, id, in, NULL};
	int rc = db_write(db, update_in_txn, &c);

	*why = c.why;
	return rc;
}

static int
delete_in_txn(struct db *db, void *arg)
{
	const struct change *c = arg;
	int rc = db_run(db, SQL_DELETE_STEPS, "s", c->id);

	if (rc == PB_OK)
		rc = db_run(db, SQL_DELETE, "ss", c->id, c->who->workspace_id);
	if (rc == PB_OK && db_changes(db) == 0)
		return PB_ERR_NOT_FOUND;
	if (rc == PB_OK)
		rc = audit_record(db, c->who, "workflow.deleted", "workflow",
		    c->id, NULL);
	return rc;
}

int
workflow_delete(struct db *db, const struct principal *who, const char *id)
{
	struct change c = {who, id, NULL, NULL};

	return db_write(db, delete_in_txn, &c);
}

/* Reading: the workspace and whether secrets are shown, for row_json. */
struct view {
	const char *workspace_id;
	bool with_secret;
};

static cJSON *
step_json(struct db_stmt *st, void *arg)
{
	const struct view *v = arg;
	const struct workflow_step_type *type;
	cJSON *s = cJSON_CreateObject();
	struct workflow_step_row row = {
	    .id = db_col_text(st, 0),
	    .workspace_id = v->workspace_id,
	    .config = db_col_text(st, 2),
	    .sealed_secret = db_col_null(st, 3) ? NULL : db_col_text(st, 3),
	};

	cJSON_AddStringToObject(s, "id", row.id);
	cJSON_AddStringToObject(s, "type", db_col_text(st, 1));
	if ((type = workflow_step_type_find(db_col_text(st, 1))) != NULL)
		type->show(s, &row, v->with_secret);
	return s;
}

static cJSON *
row_json(struct db_stmt *st, void *arg)
{
	cJSON *w = cJSON_CreateObject();

	(void)arg;
	cJSON_AddStringToObject(w, "id", db_col_text(st, 0));
	cJSON_AddStringToObject(w, "name", db_col_text(st, 1));
	cJSON_AddStringToObject(w, "trigger", db_col_text(st, 2));
	cJSON_AddBoolToObject(w, "enabled", db_col_i64(st, 3) != 0);
	json_add_time(w, "created_at", db_col_i64(st, 4));
	json_add_time(w, "updated_at", db_col_i64(st, 5));
	return w;
}

static int
add_steps(struct db *db, const struct view *v, cJSON *w)
{
	return db_rows_json(db_query(db, SQL_STEPS, "s", json_str(w, "id")),
	    cJSON_AddArrayToObject(w, "steps"), step_json, (void *)v);
}

int
workflow_get_json(struct db *db, const char *workspace_id, const char *id,
    bool with_secret, cJSON **out)
{
	struct view v = {workspace_id, with_secret};
	struct db_stmt *st = db_query(db, SQL_GET, "ss", id, workspace_id);
	int rc;

	*out = NULL;
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	*out = row_json(st, NULL);
	db_reset(st);
	if ((rc = add_steps(db, &v, *out)) != PB_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

int
workflow_list_json(struct db *db, const char *workspace_id, const char *cursor,
    int limit, bool with_secret, cJSON **out)
{
	struct view v = {workspace_id, with_secret};
	struct db_stmt *st;
	cJSON *item;
	int rc;

	st = db_query(db, SQL_LIST, "ssi", workspace_id, cursor ? cursor : "",
	    (int64_t)limit + 1);
	if (st == NULL)
		return PB_ERR_DB;
	if ((rc = db_page_json(st, limit, row_json, NULL, out)) != PB_OK)
		return rc;
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(*out, "data"))
	{
		if ((rc = add_steps(db, &v, item)) != PB_OK) {
			cJSON_Delete(*out);
			*out = NULL;
			return rc;
		}
	}
	return PB_OK;
}
