/*
 * keyprov.c — the key provider thread: fetch the key, publish it to the
 * event loop through an eventfd, re-fetch it periodically and when the
 * endpoint rejects it, refresh AWS credentials before they expire, and
 * back off on failures. Only this thread touches the network.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "aws/ecs_meta.h"
#include "aws/fbuf.h"
#include "aws/http.h"
#include "aws/keyprov.h"
#include "aws/secret.h"
#include "vigil/clock.h"
#include "vigil/log.h"

#define PERMANENT_RETRY_MAX_S 300 /* a fixed IAM policy is noticed within 5 minutes */
#define TRANSIENT_RETRY_MAX_MS 60000u

struct keyprov {
	struct keyprov_config cfg; /* api_key points into `fixed` */
	struct aws_ctx ctx;
	struct secret_thread thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_bool stop;
	int efd;
	/* under mu */
	char *key; /* secret memory, KEYPROV_KEY_MAX */
	size_t key_len;
	bool permanent;
	char error[512];
	bool invalidate;
	struct keyprov_report report;
	/* worker only */
	char *fixed;   /* copy of cfg->api_key, secret memory */
	char *scratch; /* where a fetch lands before it is published */
	struct keyprov_fetcher *fetcher;
	uint64_t last_fetch_ms;
};

/*
 * The worker's deadlines (periodic fetch, backoff, the re-fetch rate limit)
 * are monotonic milliseconds, so a step of the wall clock cannot delay a
 * re-fetch by the size of the step; `cv` waits on the same clock.
 */
static uint64_t now_ms(void)
{
	return vigil_mono_ms();
}

static void notify(struct keyprov *kp)
{
	uint64_t one = 1;
	ssize_t w = write(kp->efd, &one, sizeof(one)); /* EAGAIN: already readable, nothing lost */
	(void)w;
}

/* Wait until deadline_ms, a stop, or (if wake_on_invalidate) an invalidation. Called with mu held. */
static void wait_until(struct keyprov *kp, uint64_t deadline_ms, bool wake_on_invalidate)
{
	struct timespec ts = {(time_t)(deadline_ms / 1000), (long)(deadline_ms % 1000) * 1000000L};
	while (!atomic_load(&kp->stop) && !(wake_on_invalidate && kp->invalidate) &&
	       now_ms() < deadline_ms)
		if (pthread_cond_timedwait(&kp->cv, &kp->mu, &ts) == ETIMEDOUT)
			break;
}

/* aws_ctx sleep hook: backoff inside a fetch wakes up for keyprov_stop(). */
static bool ctx_sleep(void *arg, unsigned ms)
{
	struct keyprov *kp = arg;
	pthread_mutex_lock(&kp->mu);
	wait_until(kp, now_ms() + ms, false);
	pthread_mutex_unlock(&kp->mu);
	return !atomic_load(&kp->stop);
}

/* Publish a fetched key: notify only when it differs (or follows an error). */
static void publish_key(struct keyprov *kp, size_t len, const struct keyprov_report *rep)
{
	pthread_mutex_lock(&kp->mu);
	bool first = kp->key_len == 0;
	bool changed = len != kp->key_len || CRYPTO_memcmp(kp->key, kp->scratch, len) != 0 ||
		       kp->permanent;
	if (changed) {
		secret_wipe(kp->key, KEYPROV_KEY_MAX);
		memcpy(kp->key, kp->scratch, len + 1);
		kp->key_len = len;
	}
	kp->permanent = false;
	kp->error[0] = '\0';
	kp->report = *rep;
	pthread_mutex_unlock(&kp->mu);
	secret_wipe(kp->scratch, KEYPROV_KEY_MAX);
	if (changed) {
		LOG_INFO("API key %s from %s (%zu bytes, sha256 %s...)",
			 first ? "loaded" : "updated", rep->source, len, rep->fingerprint);
		notify(kp);
	}
}

static void publish_error(struct keyprov *kp, vigil_rc st, const char *err,
			  const struct keyprov_report *rep)
{
	pthread_mutex_lock(&kp->mu);
	bool news = strcmp(kp->error, err) != 0 || (st == VIGIL_ERR_PERMANENT && !kp->permanent);
	str_copy(kp->error, sizeof(kp->error), err);
	kp->permanent = st == VIGIL_ERR_PERMANENT;
	kp->report = *rep;
	pthread_mutex_unlock(&kp->mu);
	if (news) /* once per distinct message, not once per retry */
		LOG_WARN("API key: %s%s", err, st == VIGIL_ERR_PERMANENT ? "" : " (will retry)");
	if (news && st == VIGIL_ERR_PERMANENT)
		notify(kp);
}

/* One fetch and its bookkeeping; returns when the next periodic fetch is due. */
static uint64_t fetch_and_publish(struct keyprov *kp, unsigned *failures)
{
	struct keyprov_report rep;
	char err[512] = "";
	size_t len = 0;
	vigil_rc st = keyprov_fetch(kp->fetcher, kp->scratch, KEYPROV_KEY_MAX, &len, &rep, err,
				    sizeof(err));
	uint64_t now = now_ms();
	kp->last_fetch_ms = now;
	if (st == VIGIL_OK) {
		*failures = 0;
		publish_key(kp, len, &rep);
		return now + (uint64_t)kp->cfg.refresh_s * 1000u;
	}
	if (st == VIGIL_ERR_STOPPED)
		return now;
	publish_error(kp, st, err, &rep);
	if (st == VIGIL_ERR_PERMANENT) {
		unsigned s = kp->cfg.refresh_s < PERMANENT_RETRY_MAX_S ? kp->cfg.refresh_s
								       : PERMANENT_RETRY_MAX_S;
		return now + (uint64_t)s * 1000u;
	}
	unsigned delay = aws_backoff_ms((*failures)++, 1000, TRANSIENT_RETRY_MAX_MS);
	return now + (delay < 500 ? 500 : delay);
}

/* Credential refresh is due at a wall-clock time: that time as a monotonic deadline (0: none). */
static uint64_t creds_due_ms(struct keyprov *kp)
{
	time_t due = keyprov_fetcher_creds_due(kp->fetcher);
	if (!due)
		return 0;
	uint64_t due_wall_ms = (uint64_t)due * 1000u, wall_ms = vigil_wall_ns() / 1000000u;
	uint64_t now = now_ms();
	return due_wall_ms > wall_ms ? now + (due_wall_ms - wall_ms) : now;
}

/* The earliest of: periodic fetch, credential refresh, a rate-limited invalidation. */
static uint64_t next_wakeup(struct keyprov *kp, uint64_t next_fetch)
{
	uint64_t t = next_fetch;
	uint64_t due = creds_due_ms(kp);
	if (due && due < t)
		t = due;
	if (kp->invalidate) {
		uint64_t allowed = kp->last_fetch_ms + (uint64_t)kp->cfg.min_refetch_s * 1000u;
		if (allowed < t)
			t = allowed;
	}
	return t;
}

static void *worker(void *arg)
{
	struct keyprov *kp = arg;
	unsigned failures = 0;
	uint64_t next_fetch = 0;
	char why[256];
	if (kp->cfg.task_metadata && ecs_meta_load(&kp->ctx, why, sizeof(why)) < 0)
		LOG_WARN("ECS task metadata: %s (alerts go without task details)", why);
	pthread_mutex_lock(&kp->mu);
	while (!atomic_load(&kp->stop)) {
		uint64_t now = now_ms();
		bool invalidated =
			kp->invalidate &&
			now >= kp->last_fetch_ms + (uint64_t)kp->cfg.min_refetch_s * 1000u;
		if (now >= next_fetch || invalidated) {
			kp->invalidate = false;
			pthread_mutex_unlock(&kp->mu);
			next_fetch = fetch_and_publish(kp, &failures);
			pthread_mutex_lock(&kp->mu);
			continue;
		}
		time_t due = keyprov_fetcher_creds_due(kp->fetcher);
		if (due && time(NULL) >= due) { /* refresh ahead of expiry, outside the lock */
			pthread_mutex_unlock(&kp->mu);
			keyprov_fetcher_refresh_creds(kp->fetcher);
			pthread_mutex_lock(&kp->mu);
			continue;
		}
		/* A pending, rate-limited invalidation is in next_wakeup; only a new one wakes us. */
		wait_until(kp, next_wakeup(kp, next_fetch), !kp->invalidate);
	}
	pthread_mutex_unlock(&kp->mu);
	return NULL;
}

static void destroy(struct keyprov *kp)
{
	keyprov_fetcher_free(kp->fetcher);
	secret_free(kp->key, KEYPROV_KEY_MAX);
	secret_free(kp->scratch, KEYPROV_KEY_MAX);
	secret_free(kp->fixed, KEYPROV_KEY_MAX);
	if (kp->efd >= 0)
		close(kp->efd);
	pthread_cond_destroy(&kp->cv);
	pthread_mutex_destroy(&kp->mu);
	OPENSSL_cleanse(kp, sizeof(*kp));
	free(kp);
}

/* The configured key moves into secret memory; the config copy points there. */
static int setup(struct keyprov *kp, const struct keyprov_config *cfg, char *err, size_t errlen)
{
	kp->cfg = *cfg;
	kp->key = secret_alloc(KEYPROV_KEY_MAX);
	kp->scratch = secret_alloc(KEYPROV_KEY_MAX);
	kp->fixed = secret_alloc(KEYPROV_KEY_MAX);
	if (!kp->key || !kp->scratch || !kp->fixed) {
		snprintf(err, errlen, "cannot allocate memory for the key: %s", strerror(errno));
		return -1;
	}
	if (cfg->api_key) {
		if (strlen(cfg->api_key) >= KEYPROV_KEY_MAX) {
			snprintf(err, errlen, "VIGIL_API_KEY is longer than %d bytes",
				 KEYPROV_KEY_MAX - 1);
			return -1;
		}
		memcpy(kp->fixed, cfg->api_key, strlen(cfg->api_key) + 1);
		kp->cfg.api_key = kp->fixed;
	}
	aws_ctx_defaults(&kp->ctx);
	kp->ctx.ca_file = kp->cfg.ca_file[0] ? kp->cfg.ca_file : NULL;
	kp->ctx.timeout_ms = kp->cfg.timeout_ms;
	kp->ctx.max_attempts = kp->cfg.max_attempts;
	kp->ctx.retry_base_ms = kp->cfg.retry_base_ms;
	kp->ctx.retry_cap_ms = kp->cfg.retry_cap_ms;
	kp->ctx.stop = &kp->stop;
	kp->ctx.sleep_ms = ctx_sleep;
	kp->ctx.sleep_arg = kp;
	kp->fetcher = keyprov_fetcher_new(&kp->cfg, &kp->ctx);
	kp->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!kp->fetcher || kp->efd < 0) {
		snprintf(err, errlen, "key provider setup: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The thread starts with every signal blocked (the analyzer takes signals
 * through its own loop, never in this thread) and on a never-dumped stack. */
static int start_thread(struct keyprov *kp, char *err, size_t errlen)
{
	int rc = secret_thread_start(&kp->thread, worker, kp);
	if (rc != 0)
		snprintf(err, errlen, "cannot start the key provider thread: %s", strerror(rc));
	return rc ? -1 : 0;
}

struct keyprov *keyprov_start(const struct keyprov_config *cfg, char *err, size_t errlen)
{
	if (!keyprov_configured(cfg)) {
		snprintf(err, errlen,
			 "no API key configured: set VIGIL_API_KEY, VIGIL_API_KEY_FILE or "
			 "VIGIL_API_KEY_SSM");
		return NULL;
	}
	aws_http_global_init(); /* before the thread: libcurl's global init is not ours to race */
	struct keyprov *kp = calloc(1, sizeof(*kp));
	if (!kp) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	kp->efd = -1;
	pthread_mutex_init(&kp->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* wait_until's deadlines are monotonic */
	pthread_cond_init(&kp->cv, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&kp->stop, false);
	if (setup(kp, cfg, err, errlen) != 0 || start_thread(kp, err, errlen) != 0) {
		destroy(kp);
		return NULL;
	}
	return kp;
}

int keyprov_fd(struct keyprov *kp)
{
	return kp->efd;
}

int keyprov_get(struct keyprov *kp, char *out, size_t cap)
{
	pthread_mutex_lock(&kp->mu);
	int rc;
	if (kp->key_len && kp->key_len < cap) {
		memcpy(out, kp->key, kp->key_len + 1);
		rc = (int)kp->key_len;
	} else if (kp->key_len) {
		str_copy(kp->error, sizeof(kp->error), "keyprov_get: buffer smaller than the key");
		rc = -1;
	} else {
		rc = kp->permanent ? -1 : 0;
	}
	pthread_mutex_unlock(&kp->mu);
	return rc;
}

bool keyprov_error(struct keyprov *kp, char *buf, size_t cap)
{
	pthread_mutex_lock(&kp->mu);
	bool have = kp->error[0] != '\0';
	str_copy(buf, cap, kp->error);
	pthread_mutex_unlock(&kp->mu);
	return have;
}

void keyprov_invalidate(struct keyprov *kp)
{
	pthread_mutex_lock(&kp->mu);
	kp->invalidate = true;
	pthread_cond_signal(&kp->cv);
	pthread_mutex_unlock(&kp->mu);
}

void keyprov_report(struct keyprov *kp, struct keyprov_report *out)
{
	pthread_mutex_lock(&kp->mu);
	*out = kp->report;
	pthread_mutex_unlock(&kp->mu);
}

void keyprov_stop(struct keyprov *kp)
{
	if (!kp)
		return;
	pthread_mutex_lock(&kp->mu);
	atomic_store(&kp->stop, true); /* also aborts a transfer in progress */
	pthread_cond_broadcast(&kp->cv);
	pthread_mutex_unlock(&kp->mu);
	secret_thread_join(&kp->thread);
	destroy(kp);
}
