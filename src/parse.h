/* Value parsers for the config file: durations, booleans, signals, sizes,
 * umasks, start limits, and shell-like word splitting.
 *
 * Pure functions: no I/O, no global state.  Each returns 0 on success and
 * -1 on error; on error the output is untouched and, where an error text is
 * offered, it points to a static string describing what is wrong.
 */
#ifndef MUSTER_PARSE_H
#define MUSTER_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* "250ms", "10s", "2m", "1h", "1m30s", "1.5" (seconds) -> seconds. */
int parse_duration(const char *s, double *out);

/* yes/no, true/false, on/off, 1/0 (case-insensitive). */
int parse_bool(const char *s, bool *out);

/* "SIGTERM", "TERM", "sigterm" or "15" -> signal number. */
int parse_signal(const char *s, int *out);

/* "SIGTERM" for 15; "SIG?" for an unknown number. */
const char *signal_name(int sig);

/* Does sig's default action end a process (terminate or dump core)?  Not
 * SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT, SIGCHLD, SIGURG, SIGWINCH. */
bool signal_ends_process(int sig);

/* success-exit: exit statuses (0-255) and signals that count as a clean
 * exit.  Bit n of status[n / 64] is status n; bit n of signals is signal
 * n (1-63). */
struct exit_set {
	uint64_t status[4];
	uint64_t signals;
};

/* "0 143 SIGTERM", "0 3 TERM HUP 9": each word a status from 0 to 255 or a
 * signal name (SIGTERM or TERM); a bare number is always a status.  An
 * empty list is an error; on error *bad points into s at the word that is
 * not either (at most 63 bytes copied into bad[64]). */
int parse_exit_set(const char *s, struct exit_set *out, char bad[64]);

/* Does the wait status (waitpid's) count as clean by the set? */
bool exit_set_match(const struct exit_set *set, int wait_status);

/* "0 143 SIGTERM"-style: how the set reads, into buf (for messages). */
const char *exit_set_str(const struct exit_set *set, char *buf, size_t len);

/* "0", "4096", "512K", "10M", "1G" (binary multiples) -> bytes. */
int parse_size(const char *s, uint64_t *out);

/* Octal "022", "0027" -> mode, at most 0777. */
int parse_umask(const char *s, mode_t *out);

/* "5 in 60s" -> burst 5, interval 60.  "0" or "none" disables (burst 0). */
int parse_start_limit(const char *s, int *burst, double *interval);

/* Split like a POSIX shell splits words, without expansion: blanks separate
 * words, '...' is literal, "..." allows \" \\ \$ \` escapes, a backslash
 * outside quotes escapes the next character.  The result is a malloc'd,
 * NULL-terminated vector (free with words_free).  An unterminated quote or a
 * trailing backslash is an error described in *err. */
int split_words(const char *s, char ***out, int *count, const char **err);
void words_free(char **words);

/* true when s is a valid environment variable name. */
bool env_name_valid(const char *s, size_t len);

/* s without leading blanks and trailing blanks or CR (cut in place). */
char *str_trim(char *s);

#endif
