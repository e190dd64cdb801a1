/* Names: users and groups by name, for user= and group=.
 *
 * A dynamic build asks the C library (NSS: /etc/nsswitch.conf, so LDAP
 * or systemd-userdb work).  A static build (make static, -DMUSTER_STATIC)
 * reads /etc/passwd and /etc/group itself: NSS, following nsswitch.conf
 * to a module (systemd, ldap, sss), would load a shared library built for
 * another C library (the image's, if it has one) into a static binary.
 */
#ifndef MUSTER_NAMES_H
#define MUSTER_NAMES_H

#include <grp.h>
#include <pwd.h>
#include <sys/types.h>

/* As getpwnam(3) and getgrnam(3): NULL when there is none (errno 0) or on
 * error (errno set).  The result is valid until the next call. */
const struct passwd *names_user(const char *name);
const struct group *names_group(const char *name);

/* As getgrouplist(3): group, then every group listing user as a member,
 * up to *ngroups; -1 (with *ngroups the number found) when there are
 * more. */
int names_grouplist(const char *user, gid_t group, gid_t *groups, int *ngroups);

#endif
