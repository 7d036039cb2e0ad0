/* mcurl.c — curl multi sockets and its timer mapped onto evloop fds and timers. */
#include <stdlib.h>

#include "ship/mcurl.h"
#include "vigil/evloop.h"
#include "vigil/log.h"

struct mcurl {
	CURLM *multi;
	struct evloop *loop;
	uint64_t timer; /* evloop timer id, 0 if none */
};

/* Hand finished transfers to their owners. */
static void reap(struct mcurl *m)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(m->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode rc = msg->data.result;
		struct mcurl_xfer *x = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(m->multi, easy);
		if (x)
			x->done(x, rc);
	}
}

static void on_fd(int fd, uint32_t revents, void *arg)
{
	struct mcurl *m = arg;
	int flags = 0, running;
	if (revents & VIGIL_EV_READ)
		flags |= CURL_CSELECT_IN;
	if (revents & VIGIL_EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	if (revents & (VIGIL_EV_ERROR | VIGIL_EV_HANGUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(m->multi, fd, flags, &running);
	reap(m);
}

static void on_timer(void *arg)
{
	struct mcurl *m = arg;
	int running;
	m->timer = 0;
	curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	reap(m);
}

/* CURLMOPT_SOCKETFUNCTION: watch, change or forget one socket. */
static int sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct mcurl *m = userp;
	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (socketp)
			evloop_del_fd(m->loop, s);
		curl_multi_assign(m->multi, s, NULL);
		return 0;
	}
	uint32_t ev = (what & CURL_POLL_IN ? VIGIL_EV_READ : 0u) |
		      (what & CURL_POLL_OUT ? VIGIL_EV_WRITE : 0u);
	if (socketp)
		return evloop_mod_fd(m->loop, s, ev) == 0 ? 0 : -1;
	if (evloop_add_fd(m->loop, s, ev, on_fd, m) != 0) {
		LOG_ERR("http: watching socket %d failed", (int)s);
		return -1;
	}
	curl_multi_assign(m->multi, s, m); /* any non-NULL marks "registered" */
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: one timer, replaced on each call. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct mcurl *m = userp;
	(void)multi;
	if (m->timer)
		evloop_cancel_timer(m->loop, m->timer);
	m->timer = 0;
	if (timeout_ms >= 0) { /* 0: as soon as the loop comes round, not recursively */
		m->timer = evloop_add_timer(m->loop, (uint64_t)timeout_ms, on_timer, m);
		if (!m->timer)
			return -1;
	}
	return 0;
}

struct mcurl *mcurl_new(struct evloop *loop)
{
	struct mcurl *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->loop = loop;
	m->multi = curl_multi_init();
	if (!m->multi) {
		free(m);
		return NULL;
	}
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, 16L);
	return m;
}

int mcurl_start(struct mcurl *m, struct mcurl_xfer *x)
{
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	return curl_multi_add_handle(m->multi, x->easy) == CURLM_OK ? 0 : -1;
}

void mcurl_abort(struct mcurl *m, struct mcurl_xfer *x)
{
	curl_multi_remove_handle(m->multi, x->easy);
}

void mcurl_free(struct mcurl *m)
{
	if (!m)
		return;
	/* Cleanup may still report sockets and timeouts: no new timer from here. */
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, NULL);
	if (m->timer)
		evloop_cancel_timer(m->loop, m->timer);
	curl_multi_cleanup(m->multi);
	free(m);
}
