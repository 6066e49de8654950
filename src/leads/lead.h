/*
 * Leads: what the widget's form captured.  A lead is checked field by
 * field, stored before anything else happens, and its lead.captured event
 * written in the same transaction (the outbox).  A second submission with
 * the same e-mail to the same agent updates that lead instead.
 */
#ifndef LEADS_LEAD_H
#define LEADS_LEAD_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "core/id.h"

struct db;

#define LEAD_NAME_MAX 200
#define LEAD_COMPANY_MAX 200
#define LEAD_PHONE_MAX 50
#define LEAD_MESSAGE_MAX 5000
#define LEAD_PAGE_URL_MAX 2048
#define LEAD_CONVERSATION_MAX 64
#define LEAD_FIELDS_MAX 50
#define LEAD_FIELD_KEY_MAX 64
#define LEAD_FIELD_VALUE_MAX 1000
#define LEAD_BODY_MAX (64 * 1024)
#define LEAD_IDEM_KEY_MAX 255

/* A checked submission; the strings point into the body it came from. */
struct lead_input {
	char *email; /* normalised, owned */
	const char *name, *phone, *company, *message, *page_url;
	const char *conversation_id;
	cJSON *fields; /* owned: an object of string values */
};

/* The agent a widget key belongs to. */
struct lead_agent {
	char id[ID_SIZE];
	char workspace_id[ID_SIZE];
};

/* What the widget endpoint answers. */
struct lead_answer {
	int status; /* 201 captured, 200 updated, 409 key conflict */
	char *body; /* owned JSON text */
	bool retry_later; /* 409 because the first request is still running */
};

/*
 * The agent of widget_key; PB_ERR_NOT_FOUND when there is none.  Answers
 * are kept for a few seconds (an agent's key is fixed for its life).
 */
int lead_find_agent(struct db *db, const char *widget_key,
    struct lead_agent *agent);
/* The workspace's agents with their widget keys: {"data": [...]}. */
int lead_agents_json(struct db *db, const char *workspace_id, cJSON **out);
/*
 * Checks a submission (a JSON object, whose repeated keys the API has
 * refused already; forms are turned into one).  On PB_ERR_INVALID
 * *fields holds one message per bad field.
 */
int lead_input_parse(const cJSON *body, struct lead_input *in, cJSON **fields);
void lead_input_release(struct lead_input *in);
/* Whether key is usable as an Idempotency-Key. */
bool lead_idem_key_valid(const char *key);
/*
 * Stores the lead (or updates the lead of that e-mail) and its event.
 * With an idempotency key, a repeat of the same request gets the first
 * answer again and changes nothing; the same key with another request (by
 * request_hash) gets 409.
 */
int lead_capture(struct db *db, const struct lead_agent *agent,
    const struct lead_input *in, const char *idem_key, const char *request_hash,
    struct lead_answer *out);
/* Leads of the workspace, newest first: {"data", "next_cursor"}. */
int lead_list_json(struct db *db, const char *workspace_id, const char *cursor,
    int limit, cJSON **out);

#endif
