/*
 * The project-wide result codes.  Every function that can fail returns one
 * of these in an int named rc; 0 is success.
 */
#ifndef CORE_RC_H
#define CORE_RC_H

enum pb_rc {
	PB_OK = 0,
	PB_ERR_INTERNAL, /* a bug, or a library failing unexpectedly */
	PB_ERR_INVALID, /* input that breaks a rule */
	PB_ERR_NOT_FOUND, /* no such object (or not visible to the caller) */
	PB_ERR_CONFLICT, /* unique key taken, or state does not allow it */
	PB_ERR_TOO_LARGE, /* past a size limit */
	PB_ERR_DB, /* storage failed */
	PB_ERR_IO, /* file or network failure */
	PB_ERR_BUSY, /* try again shortly */
	PB_ERR_DENIED, /* allowed in general, not this */
};

/* A short lowercase name for rc, for logs. */
const char *pb_rc_name(int rc);

#endif
