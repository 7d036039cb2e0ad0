/* test_ecs_meta.c — task metadata v4 parsing on the AWS docs' and
 * OpenTelemetry's example documents ($VIGIL_ECS_META_EXAMPLES: the copies in
 * test/data/aws/ecs-task-metadata-v4), and the batch "task" object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/ecs_meta.h"

static char *slurp(const char *rel, size_t *len)
{
	const char *dir = getenv("VIGIL_ECS_META_EXAMPLES");
	if (!dir)
		fail_msg("VIGIL_ECS_META_EXAMPLES is not set");
	char path[2048];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: missing", path);
	char *buf = calloc(1, 1 << 20);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

static void parse(const char *task, const char *container, struct ecs_task_meta *m)
{
	size_t tl, cl;
	char *t = slurp(task, &tl), *c = slurp(container, &cl), err[256];
	if (ecs_meta_parse(t, tl, c, cl, m, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	free(t);
	free(c);
}

static void test_fargate(void **state)
{
	struct ecs_task_meta m;
	parse("otel-go-contrib/metadatav4-response-task-fargate.json",
	      "otel-go-contrib/metadatav4-response-container-fargate.json", &m);
	assert_string_equal(m.cluster, "arn:aws:ecs:us-west-2:111122223333:cluster/default");
	assert_string_equal(m.task_arn, "arn:aws:ecs:us-west-2:111122223333:task/default/e9028f8d5d8e4f258373e7b93ce9a3c3");
	assert_string_equal(m.task_id, "e9028f8d5d8e4f258373e7b93ce9a3c3");
	assert_string_equal(m.family, "curltest");
	assert_string_equal(m.revision, "3");
	assert_string_equal(m.availability_zone, "us-west-2a");
	assert_string_equal(m.region, "us-west-2");
	assert_string_equal(m.launch_type, "FARGATE");
	assert_string_equal(m.container_name, "curl");
	assert_string_equal(m.image, "111122223333.dkr.ecr.us-west-2.amazonaws.com/curltest:latest");
}

static void test_ec2(void **state)
{
	struct ecs_task_meta m;
	parse("aws-docs-ec2/task.json", "aws-docs-ec2/container.json", &m);
	assert_string_equal(m.cluster, "default"); /* EC2 reports the short name */
	assert_true(m.task_id[0] != '\0');
	assert_true(m.region[0] != '\0');
	assert_string_equal(m.container_name, "curl");
}

/* A task ARN that is not an ARN still gives a region from the zone. */
static void test_bad_arn(void **state)
{
	struct ecs_task_meta m;
	parse("otel-go-contrib/metadatav4-response-task-ec2-bad-task-arn.json",
	      "otel-go-contrib/metadatav4-response-container-ec2.json", &m);
	assert_string_equal(m.region, "us-west-2");
}

static void test_rejects(void **state)
{
	struct ecs_task_meta m;
	char err[128];
	assert_int_equal(ecs_meta_parse("[]", 2, "{}", 2, &m, err, sizeof(err)), -1);
	assert_int_equal(ecs_meta_parse("{}", 2, "{}", 2, &m, err, sizeof(err)), -1); /* no TaskARN */
}

static void test_json(void **state)
{
	struct ecs_task_meta m = {0};
	struct strbuf sb;
	strbuf_init(&sb, 4096);
	ecs_meta_json(NULL, &sb);
	assert_string_equal(sb.data, "{}");
	strbuf_reset(&sb);
	snprintf(m.cluster, sizeof(m.cluster), "prod");
	snprintf(m.task_arn, sizeof(m.task_arn), "arn:aws:ecs:us-east-1:1:task/prod/abc");
	snprintf(m.image, sizeof(m.image), "repo/app:\"1\"");
	ecs_meta_json(&m, &sb);
	assert_string_equal(sb.data, "{\"cluster\":\"prod\",\"task_arn\":\"arn:aws:ecs:us-east-1:1:task/prod/abc\","
				     "\"image\":\"repo/app:\\\"1\\\"\"}");
	strbuf_free(&sb);
}

/* Outside ECS there is nothing to fetch and nothing is an error. */
static void test_absent(void **state)
{
	struct ecs_task_meta m;
	char err[128];
	unsetenv("ECS_CONTAINER_METADATA_URI_V4");
	struct aws_ctx ctx;
	aws_ctx_defaults(&ctx);
	assert_int_equal(ecs_meta_fetch(&ctx, &m, err, sizeof(err)), 0);
	assert_int_equal(ecs_meta_load(&ctx, err, sizeof(err)), 0);
	assert_false(ecs_meta_cached(&m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fargate), cmocka_unit_test(test_ec2),  cmocka_unit_test(test_bad_arn),
		cmocka_unit_test(test_rejects), cmocka_unit_test(test_json), cmocka_unit_test(test_absent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
