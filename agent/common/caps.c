/* caps.c — capability names (see caps.h). */
#include <stdbool.h>
#include <string.h>

#include "vigil/caps.h"

/* A dense table laid out by hand: */
/* clang-format off */
static const char *const names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};
/* clang-format on */

#define N_CAPS (sizeof(names) / sizeof(names[0]))

void vigil_caps_names(struct strbuf *sb, uint64_t mask)
{
	bool first = true;
	for (unsigned i = 0; i < N_CAPS; i++) {
		if (!(mask & (1ull << i)))
			continue;
		if (!first)
			strbuf_addc(sb, ' ');
		strbuf_adds(sb, names[i]);
		first = false;
	}
}

int vigil_cap_by_name(const char *name, size_t len)
{
	/* All names start with "CAP_": compare from the fifth byte, lengths first. */
	static unsigned char lens[N_CAPS];
	if (!lens[0])
		for (unsigned i = 0; i < N_CAPS; i++)
			lens[i] = (unsigned char)strlen(names[i]);
	for (unsigned i = 0; i < N_CAPS; i++)
		if (lens[i] == len && memcmp(names[i], name, len) == 0)
			return (int)i;
	return -1;
}
