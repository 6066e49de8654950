/* Rows as the API answers them: pages of lists, arrays, numbers (db.h). */
#include "core/json.h"
#include "core/rc.h"
#include "db/db.h"

int
db_page_json(struct db_stmt *st, int limit, db_row_json row, void *arg,
    cJSON **out)
{
	cJSON *data, *last;
	int rc, n = 0;

	*out = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(*out, "data");
	while ((rc = db_step(st)) == DB_ROW && n++ < limit)
		cJSON_AddItemToArray(data, row(st, arg));
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		cJSON_Delete(*out);
		*out = NULL;
		return rc;
	}
	/* A row past the limit means there is a next page. */
	last = cJSON_GetArrayItem(data, limit - 1);
	json_add_str(*out, "next_cursor",
	    rc == DB_ROW && last ? json_str(last, "id") : NULL);
	return PB_OK;
}

int
db_rows_json(struct db_stmt *st, cJSON *array, db_row_json row, void *arg)
{
	int rc;

	if (st == NULL)
		return PB_ERR_DB;
	while ((rc = db_step(st)) == DB_ROW)
		cJSON_AddItemToArray(array, row(st, arg));
	db_reset(st);
	return rc == DB_DONE ? PB_OK : rc;
}

void
db_add_col_i64(cJSON *obj, const char *key, struct db_stmt *st, int i)
{
	if (db_col_null(st, i))
		cJSON_AddNullToObject(obj, key);
	else
		cJSON_AddNumberToObject(obj, key, (double)db_col_i64(st, i));
}
