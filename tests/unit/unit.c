/* Helpers shared by the unit tests (see unit.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "unit.h"

char *
unit_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = xmalloc((size_t)n + 1);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return data;
}

cJSON *
unit_read_json(const char *path)
{
	char *text = unit_read_file(path, NULL);
	cJSON *doc = cJSON_Parse(text);

	free(text);
	assert_non_null(doc);
	return doc;
}

char *
unit_temp_dir(const char *name)
{
	char *dir = xasprintf("tests/out/unit-%s-%d", name, (int)getpid());
	char *cmd = xasprintf("rm -rf '%s'", dir);

	mkdir("tests/out", 0700);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(mkdir(dir, 0700), 0);
	return dir;
}
