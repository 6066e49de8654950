/*
 * JSON through cJSON, with the checks cJSON leaves out: every text from
 * outside is checked as UTF-8 first, and allocation failure aborts (the
 * hooks are installed when the program starts).
 */
#ifndef CORE_JSON_H
#define CORE_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether the n bytes at s are well-formed UTF-8. */
bool utf8_valid(const char *s, size_t n);
/* Number of characters (code points) in the valid UTF-8 string s. */
size_t utf8_chars(const char *s, size_t n);
/*
 * A valid UTF-8 copy of at most max bytes of s: invalid sequences become
 * U+FFFD and a character cut by max is dropped.  The caller frees it.
 */
char *utf8_sanitize(const char *s, size_t n, size_t max);
/*
 * Parses the n bytes of JSON at text, which must be followed by a NUL
 * (struct buf guarantees it).  PB_ERR_INVALID for bad UTF-8, a NUL
 * inside, raw or escaped as \u0000 (no string of the result could hold
 * it whole), bad JSON or anything but white space after the value; the
 * caller frees *out with cJSON_Delete.
 */
int json_parse(const char *text, size_t n, cJSON **out);
/* The string member key of obj, or NULL when absent or not a string. */
const char *json_str(const cJSON *obj, const char *key);
/* Adds key: s, or key: null when s is NULL. */
void json_add_str(cJSON *obj, const char *key, const char *s);
/* Adds key: RFC 3339 time of ms, or null when ms is negative. */
void json_add_time(cJSON *obj, const char *key, int64_t ms);
/* At most this many field errors are reported in one answer. */
#define JSON_FIELD_ERRORS_MAX 20

/*
 * Adds message under field to an object of per-field errors, unless field
 * already has one or the object is full.
 */
void json_field_error(cJSON *fields, const char *field, const char *message);
/* Serialises without spaces; the caller frees the result. */
char *json_print(const cJSON *item);

#endif
