/*
 * The audit log: who changed what, when.  A change records itself in its
 * own transaction, so that no change is kept without its record.
 */
#ifndef ACCOUNTS_AUDIT_H
#define ACCOUNTS_AUDIT_H

#include <cjson/cJSON.h>

#include "accounts/account.h"

struct db;

/*
 * Records action ("webhook.created") on a target by who, in the caller's
 * transaction; details (may be NULL) is taken over.
 */
int audit_record(struct db *db, const struct principal *who, const char *action,
    const char *target_type, const char *target_id, cJSON *details);
/* The workspace's log, newest first: {"data", "next_cursor"}. */
int audit_list_json(struct db *db, const char *workspace_id, const char *cursor,
    int limit, cJSON **out);

#endif
