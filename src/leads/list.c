/* The workspace's leads as the API lists them, newest first. */
#include <string.h>

#include "core/json.h"
#include "core/rc.h"
#include "db/db.h"
#include "leads/lead.h"

static const char SQL_LIST[] =
    "SELECT id, agent_id, email, name, phone, company, message, page_url,"
    " conversation_id, fields, created_at, updated_at FROM leads"
    " WHERE workspace_id = $1 AND ($2 = '' OR id < $2)"
    " ORDER BY id DESC LIMIT $3";

static cJSON *
lead_json(struct db_stmt *st, void *arg)
{
	static const char *const names[] = {"id", "agent_id", "email", "name",
	    "phone", "company", "message", "page_url", "conversation_id"};
	cJSON *lead = cJSON_CreateObject(), *fields = NULL;
	const char *stored = db_col_text(st, 9);

	(void)arg;
	for (int i = 0; i < 9; i++)
		json_add_str(lead, names[i], db_col_text(st, i));
	if (json_parse(stored, strlen(stored), &fields) != PB_OK)
		fields = cJSON_CreateObject();
	cJSON_AddItemToObject(lead, "fields", fields);
	json_add_time(lead, "created_at", db_col_i64(st, 10));
	json_add_time(lead, "updated_at", db_col_i64(st, 11));
	return lead;
}

int
lead_list_json(struct db *db, const char *workspace_id, const char *cursor,
    int limit, cJSON **out)
{
	struct db_stmt *st;

	*out = NULL;
	st = db_query(db, SQL_LIST, "ssi", workspace_id, cursor ? cursor : "",
	    (int64_t)limit + 1);
	if (st == NULL)
		return PB_ERR_DB;
	return db_page_json(st, limit, lead_json, NULL, out);
}
