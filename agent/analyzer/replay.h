/* replay.h — run a recorded event stream (--events-out format) through the rules. */
#ifndef VIGIL_REPLAY_H
#define VIGIL_REPLAY_H

int replay_main(int argc, char **argv);

#endif
