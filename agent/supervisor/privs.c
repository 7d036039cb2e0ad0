/* privs.c — start the program without CAP_SYS_PTRACE (see privs.h). */
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "supervisor/privs.h"

#define BIT(cap) (1u << ((cap)&31))

/* Clear the capability from the effective, permitted and inheritable sets. */
static int clear_from_sets(int cap)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) != 0)
		return -1;
	int i = cap / 32;
	data[i].effective &= ~BIT(cap);
	data[i].permitted &= ~BIT(cap);
	data[i].inheritable &= ~BIT(cap);
	return (int)syscall(SYS_capset, &hdr, data);
}

int privs_drop_ptrace(void)
{
	/* Ambient first: a capability leaves the ambient set with inheritable
	 * anyway, but lowering it explicitly also works on kernels that keep
	 * it until the next exec. EINVAL: a kernel without ambient sets. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_SYS_PTRACE, 0, 0) != 0 &&
	    errno != EINVAL)
		return -1;
	int in_bounding =
		prctl(PR_CAPBSET_READ, CAP_SYS_PTRACE, 0, 0, 0) == 1 &&
		prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0) != 0; /* needs CAP_SETPCAP */
	if (clear_from_sets(CAP_SYS_PTRACE) != 0)
		return -1;
	/* Root regains the bounding set at exec unless no_new_privs holds. */
	if (in_bounding && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return 0;
}
