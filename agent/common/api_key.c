/* api_key.c — the API key of VIGIL_API_KEY, kept out of every environment (api_key.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil/api_key.h"
#include "vigil/log.h"

static char key[VIGIL_API_KEY_MAX + 1];
static size_t key_len;
static bool handed; /* taken from the environment or read from the fd */

const char *vigil_api_key(void)
{
	if (handed)
		return key_len ? key : NULL;
	const char *v = getenv("VIGIL_API_KEY");
	return v && *v ? v : NULL;
}

int vigil_api_key_take_env(void)
{
	extern char **environ;
	static const char name[] = "VIGIL_API_KEY=";
	handed = true;
	for (char **e = environ; e && *e; e++) {
		if (strncmp(*e, name, sizeof(name) - 1) != 0)
			continue;
		char *entry = *e;
		size_t n = strlen(entry + sizeof(name) - 1);
		if (n > VIGIL_API_KEY_MAX) {
			LOG_ERR("VIGIL_API_KEY is longer than %d bytes", VIGIL_API_KEY_MAX);
			return -1;
		}
		memcpy(key, entry + sizeof(name) - 1, n + 1);
		key_len = n;
		unsetenv("VIGIL_API_KEY");
		/* The original bytes are what /proc/PID/environ shows: wipe them. */
		explicit_bzero(entry, strlen(entry));
		break;
	}
	return 0;
}

int vigil_api_key_pipe(void)
{
	int p[2];
	if (!key_len)
		return -1;
	if (pipe2(p, O_CLOEXEC) != 0) {
		LOG_ERR("pipe for the API key: %s", strerror(errno));
		return -1;
	}
	/* A pipe holds 64 KiB: the whole key is written without blocking. */
	ssize_t w = write(p[1], key, key_len);
	close(p[1]);
	if (w != (ssize_t)key_len) {
		LOG_ERR("pipe for the API key: short write");
		close(p[0]);
		return -1;
	}
	return p[0];
}

int vigil_api_key_read_fd(int fd)
{
	size_t n = 0;
	handed = true;
	while (n < sizeof(key)) {
		ssize_t r = read(fd, key + n, sizeof(key) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			LOG_ERR("reading the API key: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > VIGIL_API_KEY_MAX) {
		explicit_bzero(key, sizeof(key));
		LOG_ERR("the API key handed over is longer than %d bytes", VIGIL_API_KEY_MAX);
		return -1;
	}
	key[n] = '\0';
	key_len = n;
	return 0;
}
