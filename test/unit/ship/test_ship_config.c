/* test_ship_config.c — defaults, dotted keys, VIGIL_* env, -o sinks, messages naming the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ship/body.h"
#include "ship/gzip.h"
#include "ship/ship.h"

static void test_defaults(void **state)
{
	(void)state;
	struct ship_config c;
	ship_config_defaults(&c);
	assert_int_equal(c.noutputs, 1);
	assert_int_equal(c.outputs[0].kind, SHIP_SINK_STDOUT);
	assert_int_equal(c.batch_max_alerts, 1000);
	assert_int_equal(c.batch_max_bytes, 1 << 20);
	assert_int_equal(c.batch_max_age_ms, 1000);
	assert_true(c.drain_timeout_ms < 30000); /* ECS stopTimeout */
	assert_int_equal(c.health_interval_s, 60);
	char err[256];
	assert_int_equal(ship_config_check(&c, err, sizeof(err)), VIGIL_OK);
}

static void test_keys_and_errors(void **state)
{
	(void)state;
	struct ship_config c;
	char err[256];
	ship_config_defaults(&c);
	assert_int_equal(ship_config_set(&c, "http.batch_max_alerts", "50", err, sizeof(err)), VIGIL_OK);
	assert_int_equal(c.batch_max_alerts, 50);
	assert_int_equal(ship_config_set(&c, "spool.max_bytes", "0", err, sizeof(err)), VIGIL_OK);
	assert_int_equal(c.spool_max_bytes, 0);
	assert_int_equal(ship_config_set(&c, "http.ca_file", "/x/ca.pem", err, sizeof(err)), VIGIL_OK);
	assert_string_equal(c.ca_file, "/x/ca.pem");
	assert_int_equal(ship_config_set(&c, "http.batch_max_alerts", "0", err, sizeof(err)), VIGIL_ERR_INPUT);
	assert_non_null(strstr(err, "http.batch_max_alerts"));
	assert_int_equal(ship_config_set(&c, "http.timeout_ms", "10s", err, sizeof(err)), VIGIL_ERR_INPUT);
	assert_non_null(strstr(err, "http.timeout_ms"));
	assert_int_equal(ship_config_set(&c, "http.timeout_ms", "-5", err, sizeof(err)), VIGIL_ERR_INPUT);
	assert_int_equal(ship_config_set(&c, "http.nope", "1", err, sizeof(err)), VIGIL_ERR_INPUT);
	assert_non_null(strstr(err, "http.nope: unknown"));
	ship_config_set(&c, "http.retry_initial_ms", "5000", err, sizeof(err));
	ship_config_set(&c, "http.retry_max_ms", "100", err, sizeof(err));
	assert_int_equal(ship_config_check(&c, err, sizeof(err)), VIGIL_ERR_INPUT);
	assert_non_null(strstr(err, "http.retry_max_ms"));
}

static void test_outputs(void **state)
{
	(void)state;
	struct ship_config c;
	char err[256];
	ship_config_defaults(&c);
	assert_int_equal(ship_add_output(&c, "https://alerts.example.com/v1", err, sizeof(err)), VIGIL_OK);
	assert_int_equal(ship_config_set(&c, "outputs", "file:/var/log/vigil.json", err, sizeof(err)), VIGIL_OK);
	assert_int_equal(ship_add_output(&c, "falcosidekick:http://localhost:2801/", err, sizeof(err)), VIGIL_OK);
	assert_int_equal(c.noutputs, 3); /* the default stdout was replaced */
	assert_int_equal(c.outputs[0].kind, SHIP_SINK_HTTP);
	assert_int_equal(c.outputs[1].kind, SHIP_SINK_FILE);
	assert_string_equal(c.outputs[1].target, "/var/log/vigil.json");
	assert_int_equal(c.outputs[2].kind, SHIP_SINK_SIDEKICK);
	assert_string_equal(c.outputs[2].target, "http://localhost:2801/");
	assert_int_equal(ship_add_output(&c, "syslog", err, sizeof(err)), VIGIL_ERR_INPUT);
	assert_non_null(strstr(err, "outputs"));
	assert_int_equal(ship_add_output(&c, "falcosidekick:localhost", err, sizeof(err)), VIGIL_ERR_INPUT);
	assert_int_equal(ship_add_output(&c, "file:", err, sizeof(err)), VIGIL_ERR_INPUT);
}

static void test_environment(void **state)
{
	(void)state;
	struct ship_config c;
	char err[256];
	ship_config_defaults(&c);
	setenv("VIGIL_OUTPUTS", "stdout, https://a.example/x ,", 1);
	setenv("VIGIL_HTTP_BATCH_MAX_ALERTS", "7", 1);
	setenv("VIGIL_SPOOL_DIR", "/run/vigil", 1);
	assert_int_equal(ship_config_from_env(&c, err, sizeof(err)), VIGIL_OK);
	assert_int_equal(c.noutputs, 2);
	assert_int_equal(c.outputs[1].kind, SHIP_SINK_HTTP);
	assert_string_equal(c.outputs[1].target, "https://a.example/x");
	assert_int_equal(c.batch_max_alerts, 7);
	assert_string_equal(c.spool_dir, "/run/vigil");
	setenv("VIGIL_DRAIN_TIMEOUT_MS", "lots", 1);
	assert_int_equal(ship_config_from_env(&c, err, sizeof(err)), VIGIL_ERR_INPUT);
	assert_non_null(strstr(err, "VIGIL_DRAIN_TIMEOUT_MS"));
	unsetenv("VIGIL_DRAIN_TIMEOUT_MS");
	unsetenv("VIGIL_OUTPUTS");
}

static void test_body_is_gzip_json(void **state)
{
	(void)state;
	struct sbatch *b = sbatch_new(1);
	sbatch_add(b, "{\"a\":1}", 7, 4);
	sbatch_add(b, "{\"b\":2}", 7, 5);
	struct ship_agent_info ag = {.version = "0.1.0", .hostname = "h\"q"};
	struct ship_counters cn = {.submitted = 3, .dropped_rejected = 1};
	struct strbuf body, z, back;
	strbuf_init(&body, 1 << 20);
	strbuf_init(&z, 1 << 20);
	strbuf_init(&back, 1 << 20);
	body_build(&body, b, &ag, &cn);
	assert_non_null(strstr(body.data, "\"hostname\":\"h\\\"q\""));
	assert_non_null(strstr(body.data, "\"submitted\":3"));
	assert_non_null(strstr(body.data, "\"alerts\":[{\"a\":1},{\"b\":2}]}"));
	assert_non_null(strstr(body.data, b->id));
	assert_int_equal(ship_deflate(body.data, body.len, SHIP_GZIP_LEVEL, Z_FMT_GZIP, &z), 0);
	assert_int_equal((unsigned char)z.data[0], 0x1f); /* gzip magic */
	assert_int_equal((unsigned char)z.data[1], 0x8b);
	assert_int_equal(ship_inflate(z.data, z.len, Z_FMT_GZIP, &back), 0);
	assert_int_equal(back.len, body.len);
	assert_memory_equal(back.data, body.data, body.len);
	/* a bound too small for the compressed body is a failure, never a cut body */
	z.max = 20;
	assert_int_equal(ship_deflate(body.data, body.len, SHIP_GZIP_LEVEL, Z_FMT_GZIP, &z), -1);
	strbuf_free(&body);
	strbuf_free(&z);
	strbuf_free(&back);
	sbatch_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_keys_and_errors),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_body_is_gzip_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
