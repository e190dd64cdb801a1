/* Value parsers for the config file (durations, booleans, signals, sizes,
 * umasks, start limits) and shell-like word splitting; pure.
 */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int parse_duration(const char *s, double *out)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = {
		{ "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
	};
	double total = 0;
	const char *p = skip_blanks(s);
	bool any = false;

	while (*p) {
		char *end;
		size_t i, len;

		/* digits with at most one '.': no signs, hex or exponents */
		size_t nd = strspn(p, "0123456789."), dots = 0;
		for (size_t k = 0; k < nd; k++)
			dots += p[k] == '.';
		if (nd == 0 || dots > 1 || (nd == 1 && *p == '.'))
			return -1;
		errno = 0;
		double v = strtod(p, &end);
		if (end != p + nd || errno || !isfinite(v))
			return -1;
		p = end;
		for (len = 0; isalpha((unsigned char)p[len]); len++)
			;
		if (len == 0) {
			/* a bare number: only alone, meaning seconds */
			if (any || *skip_blanks(p))
				return -1;
			total = v;
			any = true;
			break;
		}
		for (i = 0; i < sizeof units / sizeof units[0]; i++)
			if (strlen(units[i].unit) == len && !strncmp(p, units[i].unit, len))
				break;
		if (i == sizeof units / sizeof units[0])
			return -1;
		total += v * units[i].scale;
		any = true;
		p = skip_blanks(p + len);
	}
	if (!any || total > 1e9)
		return -1;
	*out = total;
	return 0;
}

int parse_bool(const char *s, bool *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT },
	{ "ILL", SIGILL },   { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS },   { "FPE", SIGFPE },   { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG },   { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO },   { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

int parse_signal(const char *s, int *out)
{
	if (isdigit((unsigned char)*s)) {
		char *end;
		long v = strtol(s, &end, 10);
		if (*end || v < 1 || v >= NSIG)
			return -1;
		*out = (int)v;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		if (!strcasecmp(s, signals[i].name)) {
			*out = signals[i].sig;
			return 0;
		}
	}
	return -1;
}

bool signal_ends_process(int sig)
{
	switch (sig) {
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU: /* stop */
	case SIGCONT: case SIGCHLD: case SIGURG: case SIGWINCH: /* ignored or continue */
		return false;
	default:
		return sig > 0 && sig < NSIG;
	}
}

const char *signal_name(int sig)
{
	static char buf[4][16];
	static unsigned next;

	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		if (signals[i].sig == sig) {
			char *b = buf[next++ % 4];
			snprintf(b, sizeof buf[0], "SIG%s", signals[i].name);
			return b;
		}
	}
	char *b = buf[next++ % 4];
	snprintf(b, sizeof buf[0], "SIG%d", sig);
	return b;
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t mult = 1;

	s = skip_blanks(s);
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': mult = 1ull << 10; end++; break;
	case 'M': mult = 1ull << 20; end++; break;
	case 'G': mult = 1ull << 30; end++; break;
	case 'T': mult = 1ull << 40; end++; break;
	}
	if (mult > 1 && (*end == 'B' || *end == 'b'))
		end++;
	else if (mult > 1 && *end == 'i' && (end[1] == 'B' || end[1] == 'b'))
		end += 2;
	if (*skip_blanks(end))
		return -1;
	if (v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

int parse_umask(const char *s, mode_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 8);
	if (errno || *end || v > 0777)
		return -1;
	*out = (mode_t)v;
	return 0;
}

int parse_start_limit(const char *s, int *burst, double *interval)
{
	char *end;

	s = skip_blanks(s);
	if (!strcasecmp(s, "none")) {
		*burst = 0;
		*interval = 0;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || n < 0 || n > 1000000)
		return -1;
	const char *p = skip_blanks(end);
	if (!*p && n == 0) {
		*burst = 0;
		*interval = 0;
		return 0;
	}
	if (strncmp(p, "in", 2) || (p[2] != ' ' && p[2] != '\t'))
		return -1;
	double iv;
	if (parse_duration(p + 2, &iv) || iv <= 0)
		return -1;
	*burst = (int)n;
	*interval = iv;
	return 0;
}

bool env_name_valid(const char *s, size_t len)
{
	if (len == 0 || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

struct wordbuf {
	char **v;
	int n, cap;
	char *cur;
	size_t len, curcap;
	bool in_word;
};

static int wb_putc(struct wordbuf *wb, char c)
{
	if (wb->len + 2 > wb->curcap) {
		size_t ncap = wb->curcap ? wb->curcap * 2 : 32;
		char *p = realloc(wb->cur, ncap);
		if (!p)
			return -1;
		wb->cur = p;
		wb->curcap = ncap;
	}
	wb->cur[wb->len++] = c;
	wb->in_word = true;
	return 0;
}

static int wb_end(struct wordbuf *wb)
{
	if (!wb->in_word)
		return 0;
	if (wb->n + 2 > wb->cap) {
		int ncap = wb->cap ? wb->cap * 2 : 8;
		char **p = realloc(wb->v, (size_t)ncap * sizeof *p);
		if (!p)
			return -1;
		p[wb->n] = NULL; /* words_free() stops there if malloc fails next */
		wb->v = p;
		wb->cap = ncap;
	}
	char *w = malloc(wb->len + 1);
	if (!w)
		return -1;
	memcpy(w, wb->cur ? wb->cur : "", wb->len);
	w[wb->len] = '\0';
	wb->v[wb->n++] = w;
	wb->v[wb->n] = NULL;
	wb->len = 0;
	wb->in_word = false;
	return 0;
}

int split_words(const char *s, char ***out, int *count, const char **err)
{
	struct wordbuf wb = { 0 };
	const char *e = NULL;

	for (const char *p = s; *p && !e; p++) {
		switch (*p) {
		case ' ': case '\t': case '\n': case '\r':
			if (wb_end(&wb))
				e = "out of memory";
			break;
		case '\\':
			if (!p[1]) {
				e = "trailing backslash";
				break;
			}
			if (wb_putc(&wb, *++p))
				e = "out of memory";
			break;
		case '\'': {
			const char *q = strchr(p + 1, '\'');
			if (!q) {
				e = "unterminated single quote";
				break;
			}
			wb.in_word = true;
			for (p++; p < q && !e; p++)
				if (wb_putc(&wb, *p))
					e = "out of memory";
			p = q;
			break;
		}
		case '"':
			wb.in_word = true;
			for (p++; *p != '"' && !e; p++) {
				if (!*p) {
					e = "unterminated double quote";
					p--;
					break;
				}
				if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
					p++;
				if (wb_putc(&wb, *p))
					e = "out of memory";
			}
			break;
		default:
			if (wb_putc(&wb, *p))
				e = "out of memory";
		}
	}
	if (!e && wb_end(&wb))
		e = "out of memory";
	free(wb.cur);
	if (e) {
		words_free(wb.v);
		if (err)
			*err = e;
		return -1;
	}
	if (!wb.v) {
		wb.v = calloc(1, sizeof *wb.v);
		if (!wb.v) {
			if (err)
				*err = "out of memory";
			return -1;
		}
	}
	*out = wb.v;
	if (count)
		*count = wb.n;
	return 0;
}

void words_free(char **words)
{
	if (!words)
		return;
	for (char **w = words; *w; w++)
		free(*w);
	free(words);
}

/* ---- success-exit ------------------------------------------------------ */

int parse_exit_set(const char *s, struct exit_set *out, char bad[64])
{
	struct exit_set set = { { 0 }, 0 };
	size_t nwords = 0;

	bad[0] = '\0';
	while (*s) {
		while (*s && isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		const char *w = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		size_t len = (size_t)(s - w);
		char word[64];
		snprintf(word, sizeof word, "%.*s", (int)(len < 63 ? len : 63), w);
		nwords++;
		if (isdigit((unsigned char)word[0])) {
			char *end;
			long v = strtol(word, &end, 10);
			if (len > 3 || *end || v < 0 || v > 255) {
				snprintf(bad, 64, "%s", word);
				return -1;
			}
			set.status[v / 64] |= UINT64_C(1) << (v % 64);
			continue;
		}
		int sig;
		if (len > 63 || parse_signal(word, &sig) || sig >= 64) {
			snprintf(bad, 64, "%s", word);
			return -1;
		}
		set.signals |= UINT64_C(1) << sig;
	}
	if (!nwords)
		return -1;
	*out = set;
	return 0;
}

bool exit_set_match(const struct exit_set *set, int st)
{
	if (WIFEXITED(st)) {
		int v = WEXITSTATUS(st);
		return (set->status[v / 64] >> (v % 64)) & 1;
	}
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		return sig > 0 && sig < 64 && ((set->signals >> sig) & 1);
	}
	return false;
}

const char *exit_set_str(const struct exit_set *set, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < 256 + 64 && off + 1 < len; i++) {
		bool status = i < 256;
		int v = status ? i : i - 256;
		if (status ? !((set->status[v / 64] >> (v % 64)) & 1)
			   : (v == 0 || !((set->signals >> v) & 1)))
			continue;
		int n = status ? snprintf(buf + off, len - off, "%s%d", off ? " " : "", v)
			       : snprintf(buf + off, len - off, "%s%s", off ? " " : "", signal_name(v));
		if (n < 0)
			break;
		off += (size_t)n < len - off ? (size_t)n : len - off - 1;
	}
	return buf;
}

char *str_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}
