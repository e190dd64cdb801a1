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
