/*
 * table.c — which decoder reads which syscall (strace's syscallent, small).
 *
 * One entry per vigil syscall id; a syscall with no entry is not an event
 * by itself (the process-tree and tamper syscalls are handled before any
 * decoding). Arguments come from the record (registers) and tracee memory,
 * with the sizes bounded by the decoders.
 */
#include "vigil/syscalls.h"
#include "sensor/decode/decode.h"

static const decode_fn decoders[VIGIL_SC_COUNT] = {
	[VIGIL_SC_OPEN] = decode_open,
	[VIGIL_SC_CREAT] = decode_creat,
	[VIGIL_SC_OPENAT] = decode_openat,
	[VIGIL_SC_OPENAT2] = decode_openat2,
	[VIGIL_SC_OPEN_BY_HANDLE_AT] = decode_open_by_handle_at,

	[VIGIL_SC_UNLINK] = decode_unlink,
	[VIGIL_SC_RMDIR] = decode_rmdir,
	[VIGIL_SC_UNLINKAT] = decode_unlinkat,
	[VIGIL_SC_RENAME] = decode_rename,
	[VIGIL_SC_LINK] = decode_rename,
	[VIGIL_SC_RENAMEAT] = decode_renameat,
	[VIGIL_SC_RENAMEAT2] = decode_renameat,
	[VIGIL_SC_LINKAT] = decode_renameat,
	[VIGIL_SC_SYMLINK] = decode_symlink,
	[VIGIL_SC_SYMLINKAT] = decode_symlinkat,
	[VIGIL_SC_MKDIR] = decode_mkdir,
	[VIGIL_SC_MKDIRAT] = decode_mkdirat,
	[VIGIL_SC_CHMOD] = decode_chmod,
	[VIGIL_SC_FCHMODAT] = decode_fchmodat,
	[VIGIL_SC_FCHMODAT2] = decode_fchmodat,
	[VIGIL_SC_FCHMOD] = decode_fchmod,
	[VIGIL_SC_CHOWN] = decode_chown,
	[VIGIL_SC_LCHOWN] = decode_chown,
	[VIGIL_SC_FCHOWNAT] = decode_fchownat,
	[VIGIL_SC_FCHOWN] = decode_fchown,

	[VIGIL_SC_CONNECT] = decode_connect,
	[VIGIL_SC_BIND] = decode_connect,
	[VIGIL_SC_ACCEPT] = decode_accept,
	[VIGIL_SC_ACCEPT4] = decode_accept,
	[VIGIL_SC_LISTEN] = decode_listen,
	[VIGIL_SC_SENDTO] = decode_send,
	[VIGIL_SC_SENDMSG] = decode_send,
	[VIGIL_SC_SENDMMSG] = decode_send,
	[VIGIL_SC_SOCKET] = decode_socket,

	[VIGIL_SC_MOUNT] = decode_mount,
	[VIGIL_SC_OPEN_TREE] = decode_open_tree,
	[VIGIL_SC_MOVE_MOUNT] = decode_move_mount,
	[VIGIL_SC_FSOPEN] = decode_fsopen,
	[VIGIL_SC_FSMOUNT] = decode_fsmount,
	[VIGIL_SC_FSPICK] = decode_fspick,
	[VIGIL_SC_MOUNT_SETATTR] = decode_fspick,
	[VIGIL_SC_UMOUNT2] = decode_umount2,

	[VIGIL_SC_SETUID] = decode_ids,
	[VIGIL_SC_SETGID] = decode_ids,
	[VIGIL_SC_SETREUID] = decode_ids,
	[VIGIL_SC_SETREGID] = decode_ids,
	[VIGIL_SC_SETRESUID] = decode_ids,
	[VIGIL_SC_SETRESGID] = decode_ids,
	[VIGIL_SC_PTRACE] = decode_ptrace,
	[VIGIL_SC_MEMFD_CREATE] = decode_memfd_create,
	[VIGIL_SC_INIT_MODULE] = decode_init_module,
	[VIGIL_SC_FINIT_MODULE] = decode_finit_module,
	[VIGIL_SC_BPF] = decode_bpf,
	[VIGIL_SC_DUP] = decode_dup,
	[VIGIL_SC_DUP2] = decode_dup2,
	[VIGIL_SC_DUP3] = decode_dup2,
	[VIGIL_SC_IO_URING_SETUP] = decode_io_uring_setup,
	[VIGIL_SC_CLONE] = decode_no_args,
	[VIGIL_SC_CLONE3] = decode_no_args,
};

bool decode_syscall(struct vigil_event *ev, const struct decode_ctx *c)
{
	const struct sensor_record *r = c->rec;
	ev->type = (uint16_t)r->id;
	ev->arch = (uint8_t)r->arch;
	if (c->has_res) {
		ev->has_res = 1;
		ev->res = c->res;
	}
	decode_fn fn = r->id > 0 && r->id < VIGIL_SC_COUNT ? decoders[r->id] : NULL;
	if (!fn)
		return false;
	fn(ev, c);
	return true;
}
