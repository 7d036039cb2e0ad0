/*
 * spoofname DIR — a process that calls itself vigil. It links itself as
 * DIR/vigil and execs that, so its comm and argv[0] are "vigil"; as vigil
 * it starts a shell (/bin/sh -c true) in a child, which the shell-spawn
 * rule must report: a name is not vigil's identity.
 * Reports {"pid":P,"child":C,"status":S} from the renamed process.
 */
/* _GNU_SOURCE comes from CMakeLists.txt. */
#include <libgen.h>
#include <sys/wait.h>
#include "vt_common.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return VT_EXIT_SETUP;
    if (strcmp(basename(argv[0]), "vigil") != 0) {
        char self[4096], link[4096];
        vt_self_exe(self, sizeof self);
        snprintf(link, sizeof link, "%s/vigil", argv[1]);
        if (symlink(self, link) != 0 && errno != EEXIST)
            vt_die("symlink");
        execl(link, "vigil", argv[1], (char *)NULL);
        vt_die("exec as vigil");
    }
    pid_t child = fork();
    if (child < 0)
        vt_die("fork");
    if (child == 0) {
        execl("/bin/sh", "sh", "-c", "true", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    vt_report("{\"pid\":%d,\"child\":%d,\"status\":%d}", (int)getpid(), (int)child, status);
    return 0;
}
