/* test_aws_parse.c — the small parsers and rules of the AWS code: times,
 * refresh schedule, ARNs, endpoints, error classification, credential
 * documents, masking, backoff bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/creds.h"
#include "aws/ctx.h"
#include "aws/secret.h"
#include "aws/ssm.h"

static void test_parse_time(void **state)
{
	assert_int_equal(creds_parse_time("2020-02-25T06:03:31Z"), 1582610611);
	assert_int_equal(creds_parse_time("2020-02-25T06:03:31.123456Z"), 1582610611);
	assert_int_equal(creds_parse_time("2020-02-25T08:03:31+02:00"), 1582610611);
	assert_int_equal(creds_parse_time("2020-02-25T01:03:31-05:00"), 1582610611);
	assert_int_equal(creds_parse_time("EXPIRATION_DATE"), -1); /* the ECS docs' placeholder */
	assert_int_equal(creds_parse_time("2020-02-25 06:03:31Z"), -1);
	assert_int_equal(creds_parse_time("2020-13-25T06:03:31Z"), -1);
	assert_int_equal(creds_parse_time("2020-02-25T06:03:31"), -1);
	assert_int_equal(creds_parse_time("2020-02-25T06:03:31Zjunk"), -1);
}

static void test_refresh_time(void **state)
{
	assert_int_equal(creds_refresh_time(1000, 0), 0);              /* long-term: never */
	assert_int_equal(creds_refresh_time(1000, 1000 + 3600), 4300); /* 5 minutes ahead */
	assert_int_equal(creds_refresh_time(1000, 1000 + 400), 1200);  /* short-lived: halfway */
	assert_int_equal(creds_refresh_time(1000, 900), 1000);         /* already expired: now */
}

static void test_mask(void **state)
{
	char out[AWS_AKID_MAX];
	creds_mask_key_id("AKIAIOSFODNN7EXAMPLE", out, sizeof(out));
	assert_string_equal(out, "****************MPLE");
	creds_mask_key_id("ABC", out, sizeof(out));
	assert_string_equal(out, "ABC");
}

static void test_arn_region(void **state)
{
	char r[AWS_REGION_MAX];
	assert_int_equal(aws_arn_region("arn:aws:ssm:eu-west-1:123456789012:parameter/prod/key", r, sizeof(r)), 1);
	assert_string_equal(r, "eu-west-1");
	assert_int_equal(aws_arn_region("arn:aws-cn:ssm:cn-north-1:1:parameter/x", r, sizeof(r)), 1);
	assert_string_equal(r, "cn-north-1");
	assert_int_equal(aws_arn_region("/prod/vigil/api-key", r, sizeof(r)), 0);
	assert_int_equal(aws_arn_region("arn:aws:ssm::123:parameter/x", r, sizeof(r)), -1);
	assert_int_equal(aws_arn_region("arn:aws:ssm:EU_WEST:123:parameter/x", r, sizeof(r)), -1);
	assert_int_equal(aws_arn_region("arn:aws:ssm:eu-west-1", r, sizeof(r)), -1);
}

static void test_endpoint(void **state)
{
	char e[512];
	unsetenv("AWS_ENDPOINT_URL_SSM");
	unsetenv("AWS_ENDPOINT_URL");
	assert_int_equal(ssm_endpoint(NULL, "us-east-2", e, sizeof(e)), 0);
	assert_string_equal(e, "https://ssm.us-east-2.amazonaws.com");
	assert_int_equal(ssm_endpoint("", "cn-north-1", e, sizeof(e)), 0);
	assert_string_equal(e, "https://ssm.cn-north-1.amazonaws.com.cn");
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/", 1);
	assert_int_equal(ssm_endpoint(NULL, "us-east-2", e, sizeof(e)), 0);
	assert_string_equal(e, "http://127.0.0.1:9000");
	setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9001", 1); /* the service's own wins */
	assert_int_equal(ssm_endpoint(NULL, "us-east-2", e, sizeof(e)), 0);
	assert_string_equal(e, "http://127.0.0.1:9001");
	assert_int_equal(ssm_endpoint("https://vpce.example", "us-east-2", e, sizeof(e)), 0);
	assert_string_equal(e, "https://vpce.example");
	assert_int_equal(ssm_endpoint("https://vpce.example", "us-east-2", e, 8), -1);
	unsetenv("AWS_ENDPOINT_URL_SSM");
	unsetenv("AWS_ENDPOINT_URL");
}

static enum ssm_verdict classify(long status, const char *body, const char *hdr, char *err, size_t n)
{
	return ssm_classify_error(status, body, strlen(body), hdr, "/p/k", "us-east-1", err, n);
}

static void test_classify(void **state)
{
	char err[512];
	assert_int_equal(classify(400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", NULL, err, sizeof(err)), SSM_RETRY);
	assert_int_equal(classify(500, "{\"__type\":\"InternalServerError\",\"Message\":\"x\"}", NULL, err, sizeof(err)), SSM_RETRY);
	assert_int_equal(classify(503, "not json", NULL, err, sizeof(err)), SSM_RETRY);
	assert_int_equal(classify(400, "{\"__type\":\"ExpiredTokenException\",\"message\":\"expired\"}", NULL, err, sizeof(err)), SSM_REFRESH_CREDS);
	assert_int_equal(classify(400, "{\"__type\":\"ParameterNotFound\"}", NULL, err, sizeof(err)), SSM_FAIL);
	assert_non_null(strstr(err, "/p/k"));
	assert_non_null(strstr(err, "not found"));
	assert_int_equal(classify(400, "{\"__type\":\"AccessDeniedException\",\"message\":\"no\"}", NULL, err, sizeof(err)), SSM_FAIL);
	assert_non_null(strstr(err, "ssm:GetParameter"));
	assert_non_null(strstr(err, "/p/k"));
	assert_int_equal(classify(400, "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform: kms:Decrypt\"}", NULL, err, sizeof(err)), SSM_FAIL);
	assert_non_null(strstr(err, "kms:Decrypt"));
	assert_int_equal(classify(400, "{\"__type\":\"InvalidKeyId\",\"message\":\"x\"}", NULL, err, sizeof(err)), SSM_FAIL);
	assert_non_null(strstr(err, "kms:Decrypt"));
	/* botocore's code spelling rules: namespace and URI suffix dropped */
	assert_int_equal(classify(400, "{\"__type\":\"com.amazon.coral#ThrottlingException:http://x\"}", NULL, err, sizeof(err)), SSM_RETRY);
	/* code only in X-Amzn-Errortype */
	assert_int_equal(classify(400, "{}", "ThrottlingException:http://internal.amazon.com/", err, sizeof(err)), SSM_RETRY);
	assert_int_equal(classify(400, "{\"code\":\"ValidationException\",\"message\":\"bad\"}", NULL, err, sizeof(err)), SSM_FAIL);
	assert_non_null(strstr(err, "ValidationException"));
}

static void test_creds_json(void **state)
{
	struct aws_creds *c = secret_alloc(sizeof(*c));
	char err[256];
	const char *ok = "{\"AccessKeyId\":\"ASIAX\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"2020-02-25T06:03:31Z\"}";
	assert_int_equal(creds_parse_json(ok, strlen(ok), true, c, err, sizeof(err)), VIGIL_OK);
	assert_string_equal(c->access_key_id, "ASIAX");
	assert_int_equal(c->expiration, 1582610611);
	const char *no_token = "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":\"2020-02-25T06:03:31Z\"}";
	assert_int_equal(creds_parse_json(no_token, strlen(no_token), true, c, err, sizeof(err)), VIGIL_ERR_TRANSIENT);
	memset(c, 0, sizeof(*c));
	assert_int_equal(creds_parse_json(no_token, strlen(no_token), false, c, err, sizeof(err)), VIGIL_OK);
	const char *code = "{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"Message\":\"denied\"}";
	assert_int_equal(creds_parse_json(code, strlen(code), true, c, err, sizeof(err)), VIGIL_ERR_TRANSIENT);
	assert_non_null(strstr(err, "AssumeRoleUnauthorizedAccess"));
	const char *placeholder = "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"EXPIRATION_DATE\"}";
	assert_int_equal(creds_parse_json(placeholder, strlen(placeholder), true, c, err, sizeof(err)), VIGIL_ERR_TRANSIENT);
	assert_int_equal(creds_parse_json("[]", 2, true, c, err, sizeof(err)), VIGIL_ERR_TRANSIENT);
	secret_free(c, sizeof(*c));
}

static void test_backoff(void **state)
{
	for (unsigned attempt = 0; attempt < 40; attempt++) {
		unsigned ms = aws_backoff_ms(attempt, 200, 20000);
		unsigned ceiling = attempt < 7 ? 200u << attempt : 20000;
		assert_true(ms <= (ceiling < 20000 ? ceiling : 20000));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_time), cmocka_unit_test(test_refresh_time),
		cmocka_unit_test(test_mask),       cmocka_unit_test(test_arn_region),
		cmocka_unit_test(test_endpoint),   cmocka_unit_test(test_classify),
		cmocka_unit_test(test_creds_json), cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
