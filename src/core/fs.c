/* File-system helpers (see fs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/fs.h"
#include "core/rc.h"

int
fs_make_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc = PB_OK;

	if (slash == NULL || slash == path)
		return PB_OK;
	dir = xstrndup(path, (size_t)(slash - path));
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		rc = PB_ERR_IO;
	free(dir);
	return rc;
}
