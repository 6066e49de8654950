/* Roles and what they may do (see account.h). */
#include <string.h>

#include "accounts/account.h"
#include "core/rc.h"

static const char *const role_names[] = {"member", "admin", "owner"};

bool
role_allows(enum role role, enum permission permission)
{
	switch (permission) {
	case PERM_PUBLIC:
	case PERM_VIEW:
		return true;
	case PERM_MANAGE:
		return role == ROLE_OWNER || role == ROLE_ADMIN;
	}
	return false;
}

int
role_parse(const char *s, enum role *role)
{
	for (int i = 0; i < 3; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*role = (enum role)i;
			return PB_OK;
		}
	}
	return PB_ERR_INVALID;
}

const char *
role_name(enum role role)
{
	return role_names[role];
}
