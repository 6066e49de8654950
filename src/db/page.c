/* One page of a list as the API answers it (see db.h). */
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
