/* A connection to a virtual TrustBox: the API's msgpack frames over the state directory's Unix
 * socket, each preceded by its length (u32 big-endian). */
#ifndef TBX_CONN_H
#define TBX_CONN_H

#include <msgpack.h>
#include <pthread.h>
#include <stdint.h>

struct tbx_reply;

struct tbx_conn {
	int fd;
	uint32_t context;               /* the server's context id */
	pthread_mutex_t lock;           /* guards everything below and the socket's write side */
	pthread_cond_t changed;         /* a reply came, the reader left, or the connection died */
	int reading;                    /* a waiting caller is reading the socket (tbx_call) */
	int dead;                       /* the socket closed: every wait ends with COMMUNICATION */
	uint32_t next_id;
	uint32_t next_cancel_id;
	struct tbx_reply *replies;      /* requests waiting for their answers */
};

/* An answer: `result` (a map) or the error's code, result and origin. */
struct tbx_answer {
	msgpack_unpacked frame;
	const msgpack_object *result;   /* NULL when the request failed */
	uint32_t error_result;
	uint32_t error_origin;
	char error_message[160];
};

/* Connects to the device named by the environment and says hello. `*origin` and the result say
 * why not. */
uint32_t tbx_connect(struct tbx_conn **out, const char *client_name, uint32_t *origin);
void tbx_close(struct tbx_conn *c);

/* Sends a request whose args map `args` (already packed, n entries) and waits for its answer;
 * returns 0 and fills `answer` (free it with tbx_answer_free) or a TEEC error for a failure of
 * the connection (answer unset). */
uint32_t tbx_call(struct tbx_conn *c, const char *op, const msgpack_sbuffer *args, struct tbx_answer *answer);
void tbx_answer_free(struct tbx_answer *a);

/* Who serves the device's RPC frames (`{type:'rpc', ...}`) for a request: `serve` runs on the
 * requesting thread, without the connection's lock, and answers with tbx_send_rpc_reply. */
struct tbx_rpc_hook {
	void (*serve)(void *arg, struct tbx_conn *c, const msgpack_object *frame);
	void *arg;
};

/* tbx_call whose request may bring RPC frames, served by `hook` while the answer is awaited. */
uint32_t tbx_call_rpc(struct tbx_conn *c, const char *op, const msgpack_sbuffer *args, struct tbx_answer *answer,
		      const struct tbx_rpc_hook *hook);

/* Sends `{type:'rpcReply', rpc, result, args?, output?}` (NULL args/output: left out). */
int tbx_send_rpc_reply(struct tbx_conn *c, uint32_t rpc, uint32_t result, const void *args, size_t args_size,
		       const void *output, size_t output_size);

/* tbx_connect whose hello carries the admin credential (`<state>/admin.json`, or TRUSTBOX_ADMIN
 * with TRUSTBOX_ENDPOINT) when `admin` is set. */
uint32_t tbx_connect_as(struct tbx_conn **out, const char *client_name, int admin, uint32_t *origin);

/* Map lookup by a string key; NULL when absent. */
const msgpack_object *tbx_get(const msgpack_object *map, const char *key);
int tbx_get_u32(const msgpack_object *map, const char *key, uint32_t *out);

/* Packing helpers. */
void tbx_pack_key(msgpack_packer *pk, const char *key);
void tbx_pack_str(msgpack_packer *pk, const char *s);

/* The connection a context's fd names (contexts store the socket fd in imp.fd). */
struct tbx_conn *tbx_conn_of(int fd);

#endif
