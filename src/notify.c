#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "probe.h"
#include "proc.h"

#define MAX_FDS 64

static struct ev_loop *notify_loop;
static struct supervisor *notify_sup;
static ev_io w_notify;
static char *sock_path;

static bool field(const char *line, size_t len, const char *key, const char **val, size_t *vlen)
{
	size_t k = strlen(key);
	if (len <= k || strncmp(line, key, k) || line[k] != '=')
		return false;
	*val = line + k + 1;
	*vlen = len - k - 1;
	return true;
}

static bool parse_long(const char *v, size_t n, long lo, long hi, long *out)
{
	char buf[24];
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	long x = strtol(buf, &end, 10);
	if (*end || errno || x < lo || x > hi)
		return false;
	*out = x;
	return true;
}

int notify_parse(const char *buf, size_t len, struct notify_msg *m)
{
	int known = 0;
	bool any = false;

	memset(m, 0, sizeof *m);
	if (len == 0 || memchr(buf, '\0', len))
		return -1;
	for (size_t pos = 0; pos < len;) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		const char *v;
		size_t vn;
		long x;

		pos += n + (nl != NULL);
		if (n == 0)
			continue;
		if (!memchr(line, '=', n)) {
			m->unknown++;
			continue;
		}
		any = true;
		if (field(line, n, "READY", &v, &vn)) {
			if (vn == 1 && *v == '1')
				m->ready = true, known++;
		} else if (field(line, n, "STOPPING", &v, &vn)) {
			if (vn == 1 && *v == '1')
				m->stopping = true, known++;
		} else if (field(line, n, "RELOADING", &v, &vn)) {
			if (vn == 1 && *v == '1')
				m->reloading = true, known++;
		} else if (field(line, n, "WATCHDOG", &v, &vn)) {
			if (vn == 1 && *v == '1')
				m->watchdog = true, known++;
		} else if (field(line, n, "BARRIER", &v, &vn)) {
			if (vn == 1 && *v == '1')
				m->barrier = true, known++;
		} else if (field(line, n, "STATUS", &v, &vn)) {
			if (vn >= sizeof m->status)
				vn = sizeof m->status - 1;
			memcpy(m->status, v, vn);
			m->status[vn] = '\0';
			m->has_status = true;
			known++;
		} else if (field(line, n, "MAINPID", &v, &vn)) {
			if (parse_long(v, vn, 1, 0x7fffffff, &x))
				m->mainpid = (pid_t)x, m->has_mainpid = true, known++;
		} else if (field(line, n, "ERRNO", &v, &vn)) {
			if (parse_long(v, vn, 0, 4095, &x))
				m->errnum = (int)x, m->has_errno = true, known++;
		} else {
			m->unknown++;
		}
	}
	return any ? known : -1;
}

/* The service a sender belongs to: its main process, or a process of its
 * session.  *allowed says whether its messages count under the service's
 * notify-access; NULL when the sender is no service's (dropped silently:
 * any local user can write to the socket). */
static struct service *sender_service(pid_t pid, bool *allowed)
{
	struct supervisor *sup = notify_sup;
	struct service *member = NULL;
	pid_t sid = -2;

	for (size_t i = 0; i < sup->n; i++) {
		struct service *s = sup->svcs[i];
		if (s->state != ST_STARTING && s->state != ST_READY && s->state != ST_STOPPING)
			continue;
		if (s->pid == pid) {
			*allowed = true;
			return s;
		}
		if (sid == -2)
			sid = getsid(pid);
		if (sid > 0 && sid == s->pgid && !member)
			member = s;
	}
	*allowed = member && member->conf->notify_access == NOTIFY_ALL;
	return member;
}

/* A warning about what a service sent: at most one line per service per
 * second, the next one telling how many were held back meanwhile. */
static void svc_warn(struct service *svc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void svc_warn(struct service *svc, const char *fmt, ...)
{
	ev_tstamp now = ev_now(notify_loop);
	char msg[512];
	va_list ap;

	if (svc->notify_warned > 0 && now - svc->notify_warned < 1.0) {
		svc->notify_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (svc->notify_suppressed)
		log_warn("%s: %s (%u more notify warnings suppressed)", svc->conf->name, msg,
			 svc->notify_suppressed);
	else
		log_warn("%s: %s", svc->conf->name, msg);
	svc->notify_warned = now;
	svc->notify_suppressed = 0;
}

/* What /proc/PID/status says of a process; false when it is gone. */
struct proc_info {
	pid_t ppid;
	uid_t uid, suid;        /* real and saved: what kill(2) compares */
	bool zombie;
};

static bool proc_info(pid_t pid, struct proc_info *pi)
{
	char path[64], buf[2048];
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	const char *st = strstr(buf, "\nState:"), *pp = strstr(buf, "\nPPid:"),
		   *u = strstr(buf, "\nUid:");
	unsigned long ruid, euid, suid;
	long ppid;
	if (!st || !pp || !u || sscanf(pp, "\nPPid: %ld", &ppid) != 1 ||
	    sscanf(u, "\nUid: %lu %lu %lu", &ruid, &euid, &suid) != 3)
		return false;
	pi->ppid = (pid_t)ppid;
	pi->uid = (uid_t)ruid;
	pi->suid = (uid_t)suid;
	pi->zombie = strncmp(st, "\nState:\tZ", 10) == 0 || strncmp(st, "\nState:\tX", 10) == 0;
	return true;
}

/* With service cgroups, a main process is in the service's own. */
static const char *mainpid_outside_cgroup(const struct service *svc, pid_t pid)
{
	if (!cgroup_enabled() || cgroup_populated(svc->conf->name) < 0)
		return NULL; /* no cgroup of its own (cgroups off, or it could not be made) */
	return cgroup_has_pid(svc->conf->name, pid) ? NULL : "it is not in the service's cgroup";
}

const char *notify_mainpid_refusal(struct supervisor *sup, const struct service *svc,
				   pid_t pid, uid_t sender)
{
	pid_t self = getpid();
	struct proc_info pi;

	if (pid == self)
		return "it is muster itself";
	if (pid == 1)
		return "it is PID 1";
	struct service *other = sup_find_pid(sup, pid);
	if (other && other != svc)
		return "it is the main process of another service";
	if (!proc_visible())
		return "/proc does not show this PID namespace, so it cannot be checked";
	if (!proc_info(pid, &pi) || pi.zombie)
		return "no such process";
	/* the sender could not signal it itself: neither will muster */
	if (sender != 0 && sender != pi.uid && sender != pi.suid)
		return "it belongs to another user";
	/* a descendant of muster: its services and their orphans (muster is
	 * their subreaper), nothing else on the machine */
	for (int hops = 0; hops < 4096; hops++) {
		if (pi.ppid == self)
			return mainpid_outside_cgroup(svc, pid);
		if (pi.ppid <= 1 || !proc_info(pi.ppid, &pi))
			break;
	}
	return "it is not a process muster started";
}

static void handle(struct service *svc, const struct notify_msg *m, uid_t sender)
{
	const char *name = svc->conf->name;

	if (m->has_status) {
		sup_set_status_text(svc, m->status);
		log_debug("%s: status: %s", name, m->status);
	}
	if (m->has_errno && m->errnum)
		svc_warn(svc, "reports error %d (%s)", m->errnum, strerror(m->errnum));
	if (m->has_mainpid && m->mainpid != svc->pid) {
		const char *why = notify_mainpid_refusal(notify_sup, svc, m->mainpid, sender);
		if (why) {
			svc_warn(svc, "MAINPID=%ld refused: %s; the main process stays %ld",
				 (long)m->mainpid, why, (long)svc->pid);
		} else {
			sup_set_main_pid(svc, m->mainpid);
		}
	}
	if (m->stopping)
		log_info("%s: says it is stopping", name);
	if (m->reloading)
		log_info("%s: says it is reloading", name);
	if (m->watchdog)
		probe_watchdog_ping(svc);
	if (m->ready && svc->conf->type == TYPE_NOTIFY)
		sup_ready(svc, "READY=1");
}

static void close_fds(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *fds = (int *)CMSG_DATA(c);
		for (size_t i = 0; i < n; i++)
			close(fds[i]);
	}
}

static void read_messages(int fd, int budget);

static void notify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	read_messages(w->fd, 64);
}

void notify_read_pending(void)
{
	if (sock_path)
		read_messages(w_notify.fd, 1024);
}

/* Read up to budget datagrams (fewer when none is left). */
static void read_messages(int fd, int budget)
{
	while (budget-- > 0) {
		char buf[NOTIFY_MAX + 1];
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * MAX_FDS)];
		} ctl;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf,
		};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
		if (n < 0)
			return; /* EAGAIN, or nothing more to read */
		close_fds(&mh);
		const struct ucred *cred = NULL;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
			    c->cmsg_len >= CMSG_LEN(sizeof *cred))
				cred = (const struct ucred *)CMSG_DATA(c);
		if (!cred || cred->pid <= 0)
			continue;
		bool allowed;
		struct service *svc = sender_service(cred->pid, &allowed);
		if (!svc)
			continue; /* no service's: not a word, whoever floods */
		if (n > NOTIFY_MAX || (mh.msg_flags & MSG_TRUNC)) {
			svc_warn(svc, "%zd-byte message from pid %ld ignored (limit %d)", n,
				 (long)cred->pid, NOTIFY_MAX);
			continue;
		}
		if (!allowed) {
			svc_warn(svc, "notify message from pid %ld ignored: notify-access = main "
				 "takes only the main process's (%ld)", (long)cred->pid, (long)svc->pid);
			continue;
		}
		struct notify_msg m;
		if (notify_parse(buf, (size_t)n, &m) < 0) {
			svc_warn(svc, "unreadable notify message from pid %ld ignored", (long)cred->pid);
			continue;
		}
		handle(svc, &m, cred->uid);
	}
}

static int sockaddr_for(const char *path, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = strlen(path);
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof sa->sun_path)
		return -1;
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@')
		sa->sun_path[0] = '\0'; /* abstract namespace */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] != '@'));
	return 0;
}

int notify_init(struct ev_loop *loop, struct supervisor *sup, const char *path)
{
	struct sockaddr_un sa;
	socklen_t salen;
	int one = 1;

	notify_loop = loop;
	notify_sup = sup;
	if (sockaddr_for(path, &sa, &salen) < 0) {
		log_error("notify socket path too long: %s", path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_error_errno("cannot create the notify socket");
		return -1;
	}
	if (path[0] != '@')
		unlink(path); /* ours: the control socket proved no other daemon owns it */
	mode_t old = umask(0111);
	int r = bind(fd, (struct sockaddr *)&sa, salen);
	umask(old);
	if (r < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) {
		log_error_errno("cannot bind the notify socket %s", path);
		close(fd);
		return -1;
	}
	sock_path = strdup(path);
	ev_io_init(&w_notify, notify_cb, fd, EV_READ);
	ev_io_start(loop, &w_notify);
	return 0;
}

const char *notify_socket_path(void)
{
	return sock_path;
}

void notify_close(void)
{
	if (!sock_path)
		return;
	ev_io_stop(notify_loop, &w_notify);
	close(w_notify.fd);
	if (sock_path[0] != '@')
		unlink(sock_path);
	free(sock_path);
	sock_path = NULL;
}

void notify_manager(const char *fmt, ...)
{
	static int fd = -2;
	static struct sockaddr_un sa;
	static socklen_t salen;
	char msg[1024];
	va_list ap;

	if (fd == -2) {
		const char *path = getenv("NOTIFY_SOCKET");
		fd = -1;
		if (path && sockaddr_for(path, &sa, &salen) == 0)
			fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	}
	if (fd < 0)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof msg)
		n = sizeof msg - 1;
	if (sendto(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&sa, salen) < 0)
		log_debug("notify: cannot tell the manager %.20s: %s", msg, strerror(errno));
}
