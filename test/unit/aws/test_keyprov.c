/* test_keyprov.c — the key provider's contract without the network: the
 * eventfd fires when a key arrives or changes or a permanent error happens,
 * keyprov_get never blocks, invalidation re-reads, stop joins at once. */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws/keyprov.h"

/* Wait for the provider's fd and re-arm it; false on timeout. */
static bool wait_fd(struct keyprov *kp, int ms)
{
	struct pollfd p = {keyprov_fd(kp), POLLIN, 0};
	if (poll(&p, 1, ms) != 1)
		return false;
	uint64_t v;
	return read(p.fd, &v, sizeof(v)) == (ssize_t)sizeof(v);
}

static void write_file(const char *path, const char *s)
{
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
	assert_int_equal(rename(tmp, path), 0);
}

static void test_env_key(void **state)
{
	struct keyprov_config cfg;
	char err[256], key[KEYPROV_KEY_MAX], small[4];
	keyprov_config_defaults(&cfg);
	cfg.api_key = "s3cr3t-key";
	cfg.task_metadata = false;
	struct keyprov *kp = keyprov_start(&cfg, err, sizeof(err));
	assert_non_null(kp);
	assert_true(wait_fd(kp, 5000));
	assert_int_equal(keyprov_get(kp, key, sizeof(key)), 10);
	assert_string_equal(key, "s3cr3t-key");
	assert_int_equal(keyprov_get(kp, small, sizeof(small)), -1);
	struct keyprov_report rep;
	keyprov_report(kp, &rep);
	assert_string_equal(rep.source, "env");
	assert_int_equal(rep.key_len, 10);
	keyprov_stop(kp);
}

static void test_file_rotation_and_invalidate(void **state)
{
	char dir[] = "/tmp/vigil-keyprov-XXXXXX", path[256], err[256], key[KEYPROV_KEY_MAX];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/key", dir);
	write_file(path, "first-key\n");
	struct keyprov_config cfg;
	keyprov_config_defaults(&cfg);
	snprintf(cfg.api_key_file, sizeof(cfg.api_key_file), "%s", path);
	cfg.min_refetch_s = 0;
	cfg.task_metadata = false;
	struct keyprov *kp = keyprov_start(&cfg, err, sizeof(err));
	assert_non_null(kp);
	assert_true(wait_fd(kp, 5000));
	assert_int_equal(keyprov_get(kp, key, sizeof(key)), 9);
	assert_string_equal(key, "first-key");
	write_file(path, "second-key");
	assert_false(wait_fd(kp, 300)); /* nothing changes until asked (refresh is 15 min) */
	keyprov_invalidate(kp);
	assert_true(wait_fd(kp, 5000));
	assert_int_equal(keyprov_get(kp, key, sizeof(key)), 10);
	assert_string_equal(key, "second-key");
	keyprov_invalidate(kp); /* same key again: no event */
	assert_false(wait_fd(kp, 500));
	keyprov_stop(kp);
	unlink(path);
	rmdir(dir);
}

static void test_permanent_error(void **state)
{
	char dir[] = "/tmp/vigil-keyprov-XXXXXX", path[256], err[256], key[KEYPROV_KEY_MAX];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/key", dir);
	write_file(path, "bad\001key");
	struct keyprov_config cfg;
	keyprov_config_defaults(&cfg);
	snprintf(cfg.api_key_file, sizeof(cfg.api_key_file), "%s", path);
	cfg.task_metadata = false;
	struct keyprov *kp = keyprov_start(&cfg, err, sizeof(err));
	assert_non_null(kp);
	assert_true(wait_fd(kp, 5000));
	assert_int_equal(keyprov_get(kp, key, sizeof(key)), -1);
	assert_true(keyprov_error(kp, err, sizeof(err)));
	assert_non_null(strstr(err, "control characters"));
	keyprov_stop(kp);
	unlink(path);
	rmdir(dir);
}

/* A key file that is not there yet (a secret still being mounted) is not
 * permanent: get says "not yet", and stop does not wait for the retry. */
static void test_missing_file_and_prompt_stop(void **state)
{
	struct keyprov_config cfg;
	char err[256], key[64];
	keyprov_config_defaults(&cfg);
	snprintf(cfg.api_key_file, sizeof(cfg.api_key_file), "/nonexistent/vigil/key");
	cfg.task_metadata = false;
	struct keyprov *kp = keyprov_start(&cfg, err, sizeof(err));
	assert_non_null(kp);
	usleep(200000);
	assert_int_equal(keyprov_get(kp, key, sizeof(key)), 0);
	assert_true(keyprov_error(kp, err, sizeof(err)));
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	keyprov_stop(kp);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 2);
	keyprov_stop(NULL);
}

static void test_config(void **state)
{
	struct keyprov_config cfg;
	char err[256];
	assert_null(keyprov_start((keyprov_config_defaults(&cfg), &cfg), err, sizeof(err)));
	assert_non_null(strstr(err, "VIGIL_API_KEY_SSM"));
	setenv("VIGIL_API_KEY_SSM", "arn:aws:ssm:eu-west-1:1:parameter/x", 1);
	setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
	setenv("AWS_REGION", "us-east-2", 1);
	setenv("VIGIL_API_KEY_REFRESH", "60", 1);
	assert_int_equal(keyprov_config_from_env(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.region, "us-east-2");
	assert_int_equal(cfg.refresh_s, 60);
	assert_true(keyprov_configured(&cfg));
	setenv("VIGIL_API_KEY_REFRESH", "soon", 1);
	assert_int_equal(keyprov_config_from_env(&cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "VIGIL_API_KEY_REFRESH"));
	unsetenv("VIGIL_API_KEY_REFRESH");
	unsetenv("VIGIL_API_KEY_SSM");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_key),
		cmocka_unit_test(test_file_rotation_and_invalidate),
		cmocka_unit_test(test_permanent_error),
		cmocka_unit_test(test_missing_file_and_prompt_stop),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
