/* The tiny HTTP client of ready-http and health-http: URL parsing, the
 * request, the status line.  Pure (no I/O): probe.c drives the socket.
 *
 * One connection per check, HTTP/1.0 style: "GET PATH HTTP/1.0", a Host
 * header, "Connection: close"; the answer's status line is all that is
 * read.  Only http:// URLs: TLS (https) is out of scope.
 */
#ifndef MUSTER_HTTP_H
#define MUSTER_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HOST_MAX 253
#define HTTP_PATH_MAX 1024

struct http_url {
	char host[HTTP_HOST_MAX + 1]; /* a name, an IPv4 address, or an IPv6 one (no brackets) */
	char port[6];                 /* "80" when the URL has none */
	char path[HTTP_PATH_MAX + 1]; /* "/" when the URL has none; the query too */
	bool ipv6;                    /* written [in brackets] */
};

/* http://HOST[:PORT][/PATH]: 0, or -1 with *err saying what is wrong. */
int http_url_parse(const char *url, struct http_url *u, const char **err);

/* A host name or IPv4 address as a URL or HOST:PORT may hold it: letters,
 * digits, '-', '_' and '.', at most HTTP_HOST_MAX. */
bool http_host_valid(const char *host);

/* The request for u into buf[len]: its length, or 0 when it does not fit. */
size_t http_request(const struct http_url *u, char *buf, size_t len);

/* The status line at the start of buf[len]: 1 with *code when complete,
 * 0 when more is needed, -1 when it is not an HTTP status line. */
int http_status(const char *buf, size_t len, int *code);

/* A status that makes a check pass: 2xx or 3xx. */
static inline bool http_status_ok(int code)
{
	return code >= 200 && code < 400;
}

#endif
