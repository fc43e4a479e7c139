/* SPDX-License-Identifier: MIT */
/*
 * apsimctl: client of apsim's control socket. Sends one command (arguments
 * joined by tabs) and prints the answer. Exit 0 ok, 1 apsim reported an
 * error, 2 usage error or socket unreachable.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: apsimctl [-S SOCKET] COMMAND [ARG...]\n"
	      "commands: dump | kernel | scan | dmesg [clear] | uevents [clear]\n"
	      "  fault add GLOB [--errno NAME] [--nth N|--every] [--delay MS] [--lost]\n"
	      "  fault list | fault clear [ID] | attach UUID | detach UUID | quit\n"
	      "  host adapter-add ID [--type CEXn] [--mode cca|accel|ep11] [--raw-type N]\n"
	      "       [--functions WORD] | host adapter-remove|domain-add|domain-remove|\n"
	      "       cdom-add|cdom-remove ID | host card-config|checkstop ID 0|1\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *sock = getenv("APSIM_SOCK");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char *req = NULL, buf[65536], *nl;
	size_t reqlen = 0, have = 0;
	int i = 1, fd, status = -1;
	ssize_t r;
	FILE *mem;

	if (i < argc && !strcmp(argv[i], "-S") && i + 1 < argc) {
		sock = argv[i + 1];
		i += 2;
	} else if (i < argc && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (i >= argc || !sock || !*sock) {
		usage(stderr);
		return 2;
	}
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "apsimctl: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, sock);
	mem = open_memstream(&req, &reqlen);
	if (!mem)
		return 2;
	for (int k = i; k < argc; k++) {
		if (strpbrk(argv[k], "\t\n")) {
			fprintf(stderr, "apsimctl: arguments must not contain tabs or newlines\n");
			fclose(mem);
			free(req);
			return 2;
		}
		fprintf(mem, "%s%s", k > i ? "\t" : "", argv[k]);
	}
	fputc('\n', mem);
	fclose(mem);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "apsimctl: cannot connect to %s: %s\n", sock, strerror(errno));
		free(req);
		return 2;
	}
	for (size_t off = 0; off < reqlen; off += (size_t)r) {
		r = write(fd, req + off, reqlen - off);
		if (r <= 0) {
			fprintf(stderr, "apsimctl: write: %s\n", strerror(errno));
			free(req);
			return 2;
		}
	}
	free(req);
	/* header line: 0 or 1 */
	while (status < 0 && (r = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += (size_t)r;
		buf[have] = 0;
		nl = memchr(buf, '\n', have);
		if (nl) {
			size_t hl = (size_t)(nl - buf) + 1;

			status = atoi(buf);
			fwrite(buf + hl, 1, have - hl, status ? stderr : stdout);
		}
	}
	if (status < 0) {
		fprintf(stderr, "apsimctl: no answer from apsim\n");
		return 2;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)r, status ? stderr : stdout);
	close(fd);
	if (fflush(stdout))
		return 2;
	return status ? 1 : 0;
}
