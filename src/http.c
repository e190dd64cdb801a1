/* URL parsing, the request and the status line of the HTTP probes.
 */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool http_host_valid(const char *host)
{
	size_t n = strlen(host);
	if (n == 0 || n > HTTP_HOST_MAX || host[0] == '-' || host[0] == '.')
		return false;
	for (const char *p = host; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			return false;
	return true;
}

int http_url_parse(const char *url, struct http_url *u, const char **err)
{
	memset(u, 0, sizeof *u);
	if (!strncasecmp(url, "https://", 8)) {
		*err = "https is not supported";
		return -1;
	}
	if (strncasecmp(url, "http://", 7)) {
		*err = "not an http:// URL";
		return -1;
	}
	const char *p = url + 7;
	size_t auth = strcspn(p, "/?#");
	if (p[auth] == '#' || strchr(p, '#')) {
		*err = "a fragment (#) is not sent";
		return -1;
	}
	if (memchr(p, '@', auth)) {
		*err = "user names and passwords are not supported";
		return -1;
	}
	const char *host = p, *hend, *port = NULL, *end = p + auth;
	if (*p == '[') {
		hend = memchr(p, ']', auth);
		if (!hend) {
			*err = "an IPv6 address without its closing ]";
			return -1;
		}
		host = p + 1;
		if (hend + 1 < end) {
			if (hend[1] != ':') {
				*err = "garbage after the IPv6 address";
				return -1;
			}
			port = hend + 2;
		}
		u->ipv6 = true;
	} else {
		hend = memchr(p, ':', auth);
		if (hend)
			port = hend + 1;
		else
			hend = end;
	}
	size_t hlen = (size_t)(hend - host);
	if (hlen == 0) {
		*err = "no host";
		return -1;
	}
	if (hlen > HTTP_HOST_MAX) {
		*err = "the host name is too long";
		return -1;
	}
	memcpy(u->host, host, hlen);
	u->host[hlen] = '\0';
	unsigned char addr[16];
	if (u->ipv6 ? inet_pton(AF_INET6, u->host, addr) != 1 : !http_host_valid(u->host)) {
		*err = u->ipv6 ? "not an IPv6 address" : "not a host name or address";
		return -1;
	}
	if (port) {
		size_t plen = (size_t)(end - port);
		long n = 0;
		if (plen == 0 || plen > 5) {
			*err = "not a port number";
			return -1;
		}
		for (size_t i = 0; i < plen; i++) {
			if (!isdigit((unsigned char)port[i])) {
				*err = "not a port number";
				return -1;
			}
			n = n * 10 + (port[i] - '0');
		}
		if (n < 1 || n > 65535) {
			*err = "the port is not from 1 to 65535";
			return -1;
		}
		snprintf(u->port, sizeof u->port, "%ld", n);
	} else {
		strcpy(u->port, "80");
	}
	const char *path = end;
	size_t plen = strlen(path);
	if (plen + 1 > HTTP_PATH_MAX) {
		*err = "the path is too long";
		return -1;
	}
	for (const char *q = path; *q; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f) {
			*err = "a blank or control character in the path";
			return -1;
		}
	if (*path == '/')
		memcpy(u->path, path, plen + 1);
	else
		snprintf(u->path, sizeof u->path, "/%s", path); /* "" or "?query" */
	return 0;
}

size_t http_request(const struct http_url *u, char *buf, size_t len)
{
	bool default_port = !strcmp(u->port, "80");
	int n = snprintf(buf, len,
			 "GET %s HTTP/1.0\r\nHost: %s%s%s%s%s\r\nUser-Agent: muster\r\n"
			 "Accept: */*\r\nConnection: close\r\n\r\n",
			 u->path, u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "",
			 default_port ? "" : ":", default_port ? "" : u->port);
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

int http_status(const char *buf, size_t len, int *code)
{
	/* "HTTP/1.1 200 OK\r\n": the version, a blank, three digits */
	static const char proto[] = "HTTP/";
	size_t k = len < 5 ? len : 5;
	if (strncmp(buf, proto, k))
		return -1;
	const char *nl = memchr(buf, '\n', len);
	if (!nl)
		return len > 512 ? -1 : 0;
	const char *p = buf + 5;
	while (p < nl && (isdigit((unsigned char)*p) || *p == '.'))
		p++;
	if (p == buf + 5 || p >= nl || *p != ' ')
		return -1;
	while (p < nl && *p == ' ')
		p++;
	if (nl - p < 3 || !isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]) || (p + 3 < nl && p[3] != ' ' && p[3] != '\r'))
		return -1;
	*code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	return 1;
}
