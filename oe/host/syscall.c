/*
 * Host side of the system EDLs (oe/edl/openenclave/edl/syscall.edl, logging.edl): the functions
 * the generated `<name>_u.c` calls when the enclave's stdio, sleep, getpid, uname or log reach
 * the host. Their C signatures are what the EDLs declare; errno goes back through the
 * generated code (propagate_errno).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "host_private.h"

/* Same layout as the EDL's structs (the generated header defines them for the app). */
struct oe_syscall_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct oe_syscall_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

int64_t oe_syscall_write_ocall(int fd, const void *buf, size_t count);
int oe_syscall_nanosleep_ocall(struct oe_syscall_timespec *req, struct oe_syscall_timespec *rem);
int oe_syscall_getpid_ocall(void);
int oe_syscall_uname_ocall(struct oe_syscall_utsname *buf);
oe_result_t oe_log_is_supported_ocall(void);
oe_result_t oe_log_ocall(uint32_t log_level, const char *message);
void oe_write_ocall(int device, const char *str, size_t maxlen);

/* The enclave's stdout and stderr are the host's; other descriptors are not the enclave's. */
int64_t oe_syscall_write_ocall(int fd, const void *buf, size_t count)
{
	if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
		errno = EBADF;
		return -1;
	}
	/* stdio of the host and of the enclave share the stream: keep their order */
	fflush(fd == STDOUT_FILENO ? stdout : stderr);
	size_t done = 0;

	while (done < count) {
		ssize_t w = write(fd, (const char *)buf + done, count - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return done ? (int64_t)done : -1;
		done += (size_t)w;
	}
	return (int64_t)done;
}

int oe_syscall_nanosleep_ocall(struct oe_syscall_timespec *req, struct oe_syscall_timespec *rem)
{
	if (!req) {
		errno = EINVAL;
		return -1;
	}
	struct timespec r = { .tv_sec = (time_t)req->tv_sec, .tv_nsec = (long)req->tv_nsec }, left = { 0, 0 };
	int rc = nanosleep(&r, &left);

	if (rem) {
		rem->tv_sec = left.tv_sec;
		rem->tv_nsec = left.tv_nsec;
	}
	return rc;
}

int oe_syscall_getpid_ocall(void)
{
	return (int)getpid();
}

int oe_syscall_uname_ocall(struct oe_syscall_utsname *buf)
{
	struct utsname u;

	if (!buf) {
		errno = EFAULT;
		return -1;
	}
	if (uname(&u))
		return -1;
	memset(buf, 0, sizeof(*buf));
	snprintf(buf->sysname, sizeof(buf->sysname), "%s", u.sysname);
	snprintf(buf->nodename, sizeof(buf->nodename), "%s", u.nodename);
	snprintf(buf->release, sizeof(buf->release), "%s", u.release);
	snprintf(buf->version, sizeof(buf->version), "%s", u.version);
	snprintf(buf->machine, sizeof(buf->machine), "%s", u.machine);
	return 0;
}

oe_result_t oe_log_is_supported_ocall(void)
{
	return OE_OK;
}

oe_result_t oe_log_ocall(uint32_t log_level, const char *message)
{
	static const char *const names[] = { "NONE", "FATAL", "ERROR", "WARNING", "INFO", "VERBOSE", "MAX" };

	fprintf(stderr, "[enclave %s] %s%s", log_level < 7 ? names[log_level] : "?", message ? message : "",
		message && *message && message[strlen(message) - 1] == '\n' ? "" : "\n");
	return OE_OK;
}

/* device 0 = stdout, 1 = stderr (OE's oe_write_ocall) */
void oe_write_ocall(int device, const char *str, size_t maxlen)
{
	if (!str)
		return;
	oe_syscall_write_ocall(device == 0 ? STDOUT_FILENO : STDERR_FILENO, str, strnlen(str, maxlen));
}
