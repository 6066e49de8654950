/* Names of the result codes, for log lines. */
#include "core/rc.h"

const char *
pb_rc_name(int rc)
{
	switch (rc) {
	case PB_OK:
		return "ok";
	case PB_ERR_INVALID:
		return "invalid";
	case PB_ERR_NOT_FOUND:
		return "not_found";
	case PB_ERR_CONFLICT:
		return "conflict";
	case PB_ERR_TOO_LARGE:
		return "too_large";
	case PB_ERR_DB:
		return "db";
	case PB_ERR_IO:
		return "io";
	case PB_ERR_BUSY:
		return "busy";
	case PB_ERR_DENIED:
		return "denied";
	default:
		return "internal";
	}
}
