/* Names: users and groups by name, through NSS, or read from /etc/passwd
 * and /etc/group in a static build.
 */
#include "names.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#ifndef MUSTER_STATIC

const struct passwd *names_user(const char *name)
{
	return getpwnam(name);
}

const struct group *names_group(const char *name)
{
	return getgrnam(name);
}

int names_grouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	return getgrouplist(user, group, groups, ngroups);
}

#else

/* fgetpwent(3) and fgetgrent(3) parse the files' lines without NSS. */
const struct passwd *names_user(const char *name)
{
	FILE *f = fopen("/etc/passwd", "re");
	const struct passwd *pw;

	if (!f)
		return NULL; /* errno says why */
	while ((pw = fgetpwent(f)) && strcmp(pw->pw_name, name))
		;
	int e = pw || errno == ENOENT ? 0 : errno; /* ENOENT: the end */
	fclose(f);
	errno = e;
	return pw;
}

const struct group *names_group(const char *name)
{
	FILE *f = fopen("/etc/group", "re");
	const struct group *gr;

	if (!f)
		return NULL;
	while ((gr = fgetgrent(f)) && strcmp(gr->gr_name, name))
		;
	int e = gr || errno == ENOENT ? 0 : errno;
	fclose(f);
	errno = e;
	return gr;
}

static bool add_group(gid_t g, gid_t *groups, int max, int *n)
{
	for (int i = 0; i < *n && i < max; i++)
		if (groups[i] == g)
			return true;
	if (*n < max)
		groups[*n] = g;
	(*n)++;
	return *n <= max;
}

int names_grouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	int max = *ngroups, n = 0;
	bool fits = add_group(group, groups, max, &n);
	FILE *f = fopen("/etc/group", "re");
	const struct group *gr;

	while (f && (gr = fgetgrent(f)))
		for (char **m = gr->gr_mem; m && *m; m++)
			if (!strcmp(*m, user)) {
				fits = add_group(gr->gr_gid, groups, max, &n) && fits;
				break;
			}
	if (f)
		fclose(f);
	*ngroups = n;
	return fits ? n : -1;
}

#endif
