/* File-system helpers. */
#ifndef CORE_FS_H
#define CORE_FS_H

/*
 * Makes the directory that holds path (one level, mode 0700) when it is
 * missing, as var/ for the default database and key file.  PB_ERR_IO
 * otherwise, errno set.
 */
int fs_make_parent(const char *path);

#endif
