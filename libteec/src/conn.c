/*
 * The connection: finding the device, the framed socket, requests and their answers. The
 * threads waiting for answers take turns reading the socket (tbx_call: one reads, hands each
 * answer to the thread waiting for it, the others wait), so many threads share one context and
 * a lone caller reads its own answer; events are not asked for and frames nobody waits for are
 * dropped.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn.h"
#include "tee_client_api.h"

#define PROTOCOL_VERSION 1
#define MAX_FRAME (8u << 20)
#define MAX_FDS 4096

/* An RPC frame of the device for a waiting request, queued until its thread serves it. */
struct tbx_rpc_item {
	struct tbx_rpc_item *next;
	msgpack_unpacked frame;
};

struct tbx_reply {
	struct tbx_reply *next;
	uint32_t id;
	int done;
	struct tbx_answer *answer;
	uint32_t failure;               /* a TEEC error when the connection died */
	const struct tbx_rpc_hook *hook; /* who serves the request's RPCs (NULL: none expected) */
	struct tbx_rpc_item *rpcs, **rpcs_tail;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tbx_conn *registry[MAX_FDS];

struct tbx_conn *tbx_conn_of(int fd)
{
	struct tbx_conn *c = NULL;

	pthread_mutex_lock(&registry_lock);
	if (fd >= 0 && fd < MAX_FDS)
		c = registry[fd];
	pthread_mutex_unlock(&registry_lock);
	return c;
}

/* ---- finding the device ---- */

static int read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	size_t n = fread(buf, 1, size - 1, f);

	fclose(f);
	buf[n] = 0;
	return 0;
}

/* The socket path and token: TRUSTBOX_ENDPOINT=unix:PATH with TRUSTBOX_TOKEN, or the endpoint
 * file of TRUSTBOX_STATE (default: the default device's state directory). */
static uint32_t read_admin(const char *dir, char *admin, size_t admin_size);

static uint32_t find_device(char *path, size_t path_size, char *token, size_t token_size, char *admin,
			    size_t admin_size)
{
	const char *endpoint = getenv("TRUSTBOX_ENDPOINT");

	if (endpoint && *endpoint) {
		const char *tok = getenv("TRUSTBOX_TOKEN");

		if (strncmp(endpoint, "unix:", 5) != 0) {
			fprintf(stderr, "libteec: TRUSTBOX_ENDPOINT=%s: this library speaks to unix:PATH "
				"(the device's <state>/api.sock), not to a WebSocket URL\n", endpoint);
			return TEEC_ERROR_BAD_PARAMETERS;
		}
		if (!tok || !*tok) {
			fprintf(stderr, "libteec: TRUSTBOX_ENDPOINT is set but TRUSTBOX_TOKEN is not\n");
			return TEEC_ERROR_BAD_PARAMETERS;
		}
		snprintf(path, path_size, "%s", endpoint + 5);
		snprintf(token, token_size, "%s", tok);
		if (admin) {
			const char *a = getenv("TRUSTBOX_ADMIN");

			if (!a || !*a) {
				fprintf(stderr, "libteec: installing a TA over TRUSTBOX_ENDPOINT needs TRUSTBOX_ADMIN "
					"(the admin credential of the device's <state>/admin.json)\n");
				return TEEC_ERROR_ACCESS_DENIED;
			}
			snprintf(admin, admin_size, "%s", a);
		}
		return TEEC_SUCCESS;
	}

	char dir[PATH_MAX];
	const char *state = getenv("TRUSTBOX_STATE");

	if (state && *state) {
		snprintf(dir, sizeof(dir), "%s", state);
	} else {
		const char *home = getenv("TRUSTBOX_STATE_HOME");

		if (home && *home) {
			snprintf(dir, sizeof(dir), "%s/trustbox-edge", home);
		} else {
			const char *h = getenv("HOME");
			struct passwd *pw = h ? NULL : getpwuid(getuid());

			snprintf(dir, sizeof(dir), "%s/.local/state/trustbox/trustbox-edge", h ? h : pw ? pw->pw_dir : "");
		}
	}

	char file[PATH_MAX + 32];
	static char text[16384];

	snprintf(file, sizeof(file), "%s/endpoint.json", dir);
	if (read_file(file, text, sizeof(text))) {
		fprintf(stderr, "libteec: no running device: %s cannot be read (%s); boot one with "
			"`trustbox boot --state %s` or set TRUSTBOX_STATE\n", file, strerror(errno), dir);
		return TEEC_ERROR_ITEM_NOT_FOUND;
	}
	struct json_object *root = json_tokener_parse(text);
	struct json_object *sock = NULL, *tok = NULL;

	if (!root || !json_object_object_get_ex(root, "socket", &sock) ||
	    !json_object_object_get_ex(root, "token", &tok)) {
		fprintf(stderr, "libteec: %s names no socket and token (a device older than libteec support?)\n", file);
		json_object_put(root);
		return TEEC_ERROR_ITEM_NOT_FOUND;
	}
	snprintf(path, path_size, "%s", json_object_get_string(sock));
	snprintf(token, token_size, "%s", json_object_get_string(tok));
	json_object_put(root);
	return admin ? read_admin(dir, admin, admin_size) : TEEC_SUCCESS;
}

/* The admin credential of `<dir>/admin.json` (installTA needs it in the hello). */
static uint32_t read_admin(const char *dir, char *admin, size_t admin_size)
{
	char file[PATH_MAX + 32], text[4096];

	snprintf(file, sizeof(file), "%s/admin.json", dir);
	if (read_file(file, text, sizeof(text))) {
		fprintf(stderr, "libteec: %s cannot be read (%s): installing a TA needs the device's admin "
			"credential\n", file, strerror(errno));
		return TEEC_ERROR_ACCESS_DENIED;
	}
	struct json_object *root = json_tokener_parse(text), *a = NULL;

	if (!root || !json_object_object_get_ex(root, "admin", &a) || !json_object_is_type(a, json_type_string)) {
		fprintf(stderr, "libteec: %s names no admin credential\n", file);
		json_object_put(root);
		return TEEC_ERROR_ACCESS_DENIED;
	}
	snprintf(admin, admin_size, "%s", json_object_get_string(a));
	json_object_put(root);
	return TEEC_SUCCESS;
}

/* ---- frames ---- */

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = recv(fd, p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Writes one frame; the caller holds the lock. Length and body go in one sendmsg, so that the
 * device reads one chunk per request (two writes cost the server a second wakeup per call).
 */
static int send_frame(struct tbx_conn *c, const char *data, size_t size)
{
	unsigned char header[4] = { size >> 24, size >> 16, size >> 8, size };
	struct iovec iov[2] = { { header, 4 }, { (void *)data, size } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t w;

	do
		w = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -1;
	if ((size_t)w >= 4 + size)
		return 0;
	/* a partial write (a full socket buffer): finish the rest as a plain stream */
	if ((size_t)w < 4 && write_all(c->fd, header + w, 4 - (size_t)w))
		return -1;
	size_t done = (size_t)w > 4 ? (size_t)w - 4 : 0;

	return write_all(c->fd, data + done, size - done);
}

/* Reads one frame into a malloc'ed buffer; NULL when the socket closed or lied. */
static char *recv_frame(int fd, size_t *size)
{
	unsigned char header[4];

	if (read_all(fd, header, 4))
		return NULL;
	size_t n = ((size_t)header[0] << 24) | ((size_t)header[1] << 16) | ((size_t)header[2] << 8) | header[3];

	if (n > MAX_FRAME)
		return NULL;
	char *buf = malloc(n ? n : 1);

	if (!buf || read_all(fd, buf, n)) {
		free(buf);
		return NULL;
	}
	*size = n;
	return buf;
}

/* ---- msgpack helpers ---- */

const msgpack_object *tbx_get(const msgpack_object *map, const char *key)
{
	if (!map || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	size_t len = strlen(key);

	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object *k = &map->via.map.ptr[i].key;

		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == len && !memcmp(k->via.str.ptr, key, len))
			return &map->via.map.ptr[i].val;
	}
	return NULL;
}

int tbx_get_u32(const msgpack_object *map, const char *key, uint32_t *out)
{
	const msgpack_object *v = tbx_get(map, key);

	if (!v || v->type != MSGPACK_OBJECT_POSITIVE_INTEGER || v->via.u64 > UINT32_MAX)
		return -1;
	*out = (uint32_t)v->via.u64;
	return 0;
}

void tbx_pack_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);

	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

void tbx_pack_key(msgpack_packer *pk, const char *key)
{
	tbx_pack_str(pk, key);
}

/* ---- RPC replies ---- */

/* Sends `{type:'rpcReply', rpc, result, args?, output?}`; the caller holds the lock. */
static int send_rpc_reply_locked(struct tbx_conn *c, uint32_t rpc, uint32_t result, const void *args,
				 size_t args_size, const void *output, size_t output_size)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3 + (args != NULL) + (output != NULL));
	tbx_pack_key(&pk, "type");
	tbx_pack_str(&pk, "rpcReply");
	tbx_pack_key(&pk, "rpc");
	msgpack_pack_uint32(&pk, rpc);
	tbx_pack_key(&pk, "result");
	msgpack_pack_uint32(&pk, result);
	if (args) {
		tbx_pack_key(&pk, "args");
		msgpack_pack_bin(&pk, args_size);
		msgpack_pack_bin_body(&pk, args, args_size);
	}
	if (output) {
		tbx_pack_key(&pk, "output");
		msgpack_pack_bin(&pk, output_size);
		msgpack_pack_bin_body(&pk, output, output_size);
	}
	int rc = c->dead ? -1 : send_frame(c, sbuf.data, sbuf.size);

	msgpack_sbuffer_destroy(&sbuf);
	return rc;
}

int tbx_send_rpc_reply(struct tbx_conn *c, uint32_t rpc, uint32_t result, const void *args, size_t args_size,
		       const void *output, size_t output_size)
{
	pthread_mutex_lock(&c->lock);
	int rc = send_rpc_reply_locked(c, rpc, result, args, args_size, output, output_size);

	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* ---- answers ---- */

static void fail_all(struct tbx_conn *c)
{
	c->dead = 1;
	for (struct tbx_reply *r = c->replies; r; r = r->next) {
		if (!r->done) {
			r->done = 1;
			r->failure = TEEC_ERROR_COMMUNICATION;
		}
	}
	pthread_cond_broadcast(&c->changed);
}

/*
 * Hands one frame read from the socket to the request it answers (the lock held); frames that
 * answer nothing waiting are dropped. Takes `buf`.
 */
static void deliver(struct tbx_conn *c, char *buf, size_t size)
{
	msgpack_unpacked frame;
	size_t off = 0;

	msgpack_unpacked_init(&frame);
	if (msgpack_unpack_next(&frame, buf, size, &off) != MSGPACK_UNPACK_SUCCESS ||
	    msgpack_zone_push_finalizer(frame.zone, free, buf) == false) {
		msgpack_unpacked_destroy(&frame);
		free(buf);
		fail_all(c);
		return;
	}
	/* From here the frame's zone owns `buf` (msgpack objects point into it). */
	uint32_t id = 0;
	const msgpack_object *type = tbx_get(&frame.data, "type");
	int is_res = type && type->type == MSGPACK_OBJECT_STR && type->via.str.size == 3 &&
		     !memcmp(type->via.str.ptr, "res", 3);

	int is_rpc = type && type->type == MSGPACK_OBJECT_STR && type->via.str.size == 3 &&
		     !memcmp(type->via.str.ptr, "rpc", 3);

	if (is_rpc && !tbx_get_u32(&frame.data, "id", &id)) {
		/* queued for the thread whose request it serves; it runs the handler (tbx_call) */
		for (struct tbx_reply *r = c->replies; r; r = r->next) {
			if (r->id != id || r->done || !r->hook)
				continue;
			struct tbx_rpc_item *item = calloc(1, sizeof(*item));

			if (!item)
				break;
			item->frame = frame;
			*r->rpcs_tail = item;
			r->rpcs_tail = &item->next;
			return;
		}
		/* nobody serves it: the TEE must not wait forever */
		uint32_t rpc = 0;

		if (!tbx_get_u32(&frame.data, "rpc", &rpc))
			send_rpc_reply_locked(c, rpc, TEEC_ERROR_NOT_SUPPORTED, NULL, 0, NULL, 0);
		msgpack_unpacked_destroy(&frame);
		return;
	}
	if (is_res && !tbx_get_u32(&frame.data, "id", &id)) {
		for (struct tbx_reply *r = c->replies; r; r = r->next) {
			if (r->id != id || r->done)
				continue;
			r->answer->frame = frame; /* the waiting thread frees it */
			r->done = 1;
			return;
		}
	}
	msgpack_unpacked_destroy(&frame);
}

/* ---- requests ---- */

static void parse_answer(struct tbx_answer *a)
{
	const msgpack_object *res = tbx_get(&a->frame.data, "result");
	const msgpack_object *err = tbx_get(&a->frame.data, "error");

	a->result = NULL;
	a->error_message[0] = 0;
	if (res && res->type == MSGPACK_OBJECT_MAP) {
		a->result = res;
		return;
	}
	a->error_result = TEEC_ERROR_COMMUNICATION;
	a->error_origin = TEEC_ORIGIN_COMMS;
	if (err) {
		tbx_get_u32(err, "result", &a->error_result);
		tbx_get_u32(err, "origin", &a->error_origin);
		const msgpack_object *m = tbx_get(err, "message");

		if (m && m->type == MSGPACK_OBJECT_STR)
			snprintf(a->error_message, sizeof(a->error_message), "%.*s", (int)m->via.str.size, m->via.str.ptr);
	}
}

uint32_t tbx_call(struct tbx_conn *c, const char *op, const msgpack_sbuffer *args, struct tbx_answer *answer)
{
	return tbx_call_rpc(c, op, args, answer, NULL);
}

uint32_t tbx_call_rpc(struct tbx_conn *c, const char *op, const msgpack_sbuffer *args, struct tbx_answer *answer,
		      const struct tbx_rpc_hook *hook)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	struct tbx_reply reply = { .answer = answer, .hook = hook };

	reply.rpcs_tail = &reply.rpcs;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	memset(answer, 0, sizeof(*answer));

	pthread_mutex_lock(&c->lock);
	if (c->dead) {
		pthread_mutex_unlock(&c->lock);
		msgpack_sbuffer_destroy(&sbuf);
		return TEEC_ERROR_COMMUNICATION;
	}
	reply.id = ++c->next_id;
	msgpack_pack_map(&pk, 4);
	tbx_pack_key(&pk, "type");
	tbx_pack_str(&pk, "req");
	tbx_pack_key(&pk, "id");
	msgpack_pack_uint32(&pk, reply.id);
	tbx_pack_key(&pk, "op");
	tbx_pack_str(&pk, op);
	tbx_pack_key(&pk, "args");
	msgpack_sbuffer_write(&sbuf, args->data, args->size);
	reply.next = c->replies;
	c->replies = &reply;
	if (send_frame(c, sbuf.data, sbuf.size))
		fail_all(c);
	/*
	 * Leader and followers: one waiting thread at a time reads the socket and hands each
	 * answer to its request; the others wait. A thread whose own answer came leaves and wakes
	 * the others, one of which takes over the reading. With one caller (the common case) its
	 * answer is read by the thread that waits for it: no handoff between threads per call.
	 */
	for (;;) {
		/*
		 * The device's RPCs for this request run on this thread, without the lock, while
		 * another thread (or a call the handler makes) reads the socket.
		 */
		if (reply.rpcs) {
			struct tbx_rpc_item *item = reply.rpcs;

			reply.rpcs = item->next;
			if (!reply.rpcs)
				reply.rpcs_tail = &reply.rpcs;
			pthread_mutex_unlock(&c->lock);
			hook->serve(hook->arg, c, &item->frame.data);
			msgpack_unpacked_destroy(&item->frame);
			free(item);
			pthread_mutex_lock(&c->lock);
			continue;
		}
		if (reply.done)
			break;
		if (c->reading) {
			pthread_cond_wait(&c->changed, &c->lock);
			continue;
		}
		c->reading = 1;
		pthread_mutex_unlock(&c->lock);
		size_t size = 0;
		char *buf = recv_frame(c->fd, &size);

		pthread_mutex_lock(&c->lock);
		c->reading = 0;
		if (buf)
			deliver(c, buf, size);
		else
			fail_all(c);
		pthread_cond_broadcast(&c->changed);
	}
	for (struct tbx_reply **p = &c->replies; *p; p = &(*p)->next) {
		if (*p == &reply) {
			*p = reply.next;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	msgpack_sbuffer_destroy(&sbuf);
	if (reply.failure)
		return reply.failure;
	parse_answer(answer);
	return TEEC_SUCCESS;
}

void tbx_answer_free(struct tbx_answer *a)
{
	msgpack_unpacked_destroy(&a->frame);
}

/* ---- connecting ---- */

uint32_t tbx_connect(struct tbx_conn **out, const char *client_name, uint32_t *origin)
{
	return tbx_connect_as(out, client_name, 0, origin);
}

uint32_t tbx_connect_as(struct tbx_conn **out, const char *client_name, int admin, uint32_t *origin)
{
	char path[PATH_MAX], token[512], admin_cred[512] = "";
	uint32_t res = find_device(path, sizeof(path), token, sizeof(token), admin ? admin_cred : NULL, sizeof(admin_cred));

	*origin = TEEC_ORIGIN_API;
	if (res)
		return res;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(addr.sun_path))
		return TEEC_ERROR_BAD_PARAMETERS;
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*origin = TEEC_ORIGIN_COMMS;
	if (fd < 0)
		return TEEC_ERROR_COMMUNICATION;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "libteec: cannot connect to %s (%s): is the device running?\n", path, strerror(errno));
		close(fd);
		return TEEC_ERROR_ITEM_NOT_FOUND;
	}
	if (fd >= MAX_FDS) {
		close(fd);
		return TEEC_ERROR_OUT_OF_MEMORY;
	}

	/* hello, then wait for welcome; after that, waiting callers read the answers (tbx_call) */
	msgpack_sbuffer sbuf;
	msgpack_packer pk;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, admin ? 5 : 4);
	if (admin) {
		tbx_pack_key(&pk, "admin");
		tbx_pack_str(&pk, admin_cred);
	}
	tbx_pack_key(&pk, "type");
	tbx_pack_str(&pk, "hello");
	tbx_pack_key(&pk, "version");
	msgpack_pack_uint32(&pk, PROTOCOL_VERSION);
	tbx_pack_key(&pk, "token");
	tbx_pack_str(&pk, token);
	tbx_pack_key(&pk, "client");
	tbx_pack_str(&pk, client_name);

	struct tbx_conn *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		msgpack_sbuffer_destroy(&sbuf);
		return TEEC_ERROR_OUT_OF_MEMORY;
	}
	c->fd = fd;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->changed, NULL);
	int sent = send_frame(c, sbuf.data, sbuf.size);

	msgpack_sbuffer_destroy(&sbuf);
	size_t size = 0;
	char *buf = sent ? NULL : recv_frame(fd, &size);
	uint32_t result = TEEC_ERROR_COMMUNICATION;

	if (buf) {
		msgpack_unpacked frame;
		size_t off = 0;

		msgpack_unpacked_init(&frame);
		if (msgpack_unpack_next(&frame, buf, size, &off) == MSGPACK_UNPACK_SUCCESS) {
			const msgpack_object *type = tbx_get(&frame.data, "type");

			if (type && type->type == MSGPACK_OBJECT_STR && type->via.str.size == 7 &&
			    !memcmp(type->via.str.ptr, "welcome", 7)) {
				result = TEEC_SUCCESS;
			} else {
				const msgpack_object *err = tbx_get(&frame.data, "error");
				const msgpack_object *m = tbx_get(err, "message");

				tbx_get_u32(err, "result", &result);
				tbx_get_u32(err, "origin", origin);
				if (m && m->type == MSGPACK_OBJECT_STR)
					fprintf(stderr, "libteec: the device refused the connection: %.*s\n",
						(int)m->via.str.size, m->via.str.ptr);
			}
		}
		msgpack_unpacked_destroy(&frame);
		free(buf);
	}
	if (result != TEEC_SUCCESS) {
		close(fd);
		pthread_mutex_destroy(&c->lock);
		pthread_cond_destroy(&c->changed);
		free(c);
		return result;
	}
	pthread_mutex_lock(&registry_lock);
	registry[fd] = c;
	pthread_mutex_unlock(&registry_lock);
	*out = c;
	return TEEC_SUCCESS;
}

void tbx_close(struct tbx_conn *c)
{
	pthread_mutex_lock(&registry_lock);
	if (registry[c->fd] == c)
		registry[c->fd] = NULL;
	pthread_mutex_unlock(&registry_lock);
	/* ends a read in progress (a call still waiting: it fails with COMMUNICATION) */
	shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_lock(&c->lock);
	while (c->reading)
		pthread_cond_wait(&c->changed, &c->lock);
	pthread_mutex_unlock(&c->lock);
	close(c->fd);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->changed);
	free(c);
}
