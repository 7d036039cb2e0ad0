/* context.c — container identity for container.* fields (see context.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/context.h"

static char hostname[256];
static char container_id[80];
static char image[512], image_repo[512], image_tag[128];

/* The first run of 64 hex digits in a line: a container id in a cgroup or mount path. */
static bool find_hex64(const char *line, char out[13])
{
	size_t run = 0;
	for (const char *p = line; *p; p++) {
		run = isxdigit((unsigned char)*p) && !isupper((unsigned char)*p) ? run + 1 : 0;
		if (run == 64 && !isxdigit((unsigned char)p[1])) {
			memcpy(out, p - 63, 12); /* Falco shows the short (12 digit) id */
			out[12] = '\0';
			return true;
		}
	}
	return false;
}

/*
 * Is this mountinfo line one of the files a runtime binds into a container
 * from the container's own directory (/etc/hostname, /etc/hosts,
 * /etc/resolv.conf)? Only those name this container: on a host (or a
 * container sharing the host's mounts), other lines carry the overlay
 * directories of every other container running there.
 */
static bool own_bind(const char *line)
{
	const char *p = line;
	for (int field = 0; field < 4 && p; field++) { /* to the mount point, field 5 */
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return false;
	static const char *const files[] = {"/etc/hostname ", "/etc/hosts ", "/etc/resolv.conf "};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strncmp(p, files[i], strlen(files[i])) == 0)
			return true;
	return false;
}

/* cgroup: any line; mountinfo: the container's own binds only. */
static bool id_from(const char *path, bool binds_only, char out[13])
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	char line[4096];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = (!binds_only || own_bind(line)) && find_hex64(line, out);
	fclose(f);
	return found;
}

/* "registry/repo:tag" or "repo@sha256:..." into container.image, .repository, .tag. */
static void split_image(struct field_ctx *ctx, const char *img)
{
	if (!img || !*img)
		return;
	snprintf(image, sizeof(image), "%s", img);
	snprintf(image_repo, sizeof(image_repo), "%s", img);
	char *at = strchr(image_repo, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(image_repo, '/');
	char *colon = strrchr(image_repo, ':');
	if (!at && colon && (!slash || colon > slash)) { /* a tag, not a registry port */
		snprintf(image_tag, sizeof(image_tag), "%s", colon + 1);
		*colon = '\0';
		ctx->image_tag = image_tag;
	}
	ctx->image = image;
	ctx->image_repository = image_repo;
}

void context_init(struct field_ctx *ctx, bool on_host)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->container_privileged = -1;
	if (gethostname(hostname, sizeof(hostname) - 1) != 0)
		snprintf(hostname, sizeof(hostname), "unknown");
	ctx->hostname = hostname;
	const char *env = getenv("VIGIL_CONTAINER_ID");
	char id[13];
	if (on_host)
		snprintf(container_id, sizeof(container_id), "host");
	else if (env && *env)
		snprintf(container_id, sizeof(container_id), "%.79s", env);
	else if (id_from("/proc/self/cgroup", false, id) ||
		 id_from("/proc/self/mountinfo", true, id))
		snprintf(container_id, sizeof(container_id), "%s", id);
	else
		snprintf(container_id, sizeof(container_id), "%.79s", hostname);
	ctx->container_id = container_id;
	const char *name = getenv("VIGIL_CONTAINER_NAME");
	ctx->container_name = name && *name ? name : NULL;
	split_image(ctx, getenv("VIGIL_CONTAINER_IMAGE"));
}
