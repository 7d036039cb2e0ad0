/* rc.c — names of the result codes (see rc.h). */
#include "vigil/rc.h"

const char *vigil_rc_str(vigil_rc rc)
{
	switch (rc) {
	case VIGIL_OK: return "ok";
	case VIGIL_ERR_TRANSIENT: return "transient failure";
	case VIGIL_ERR_PERMANENT: return "permanent failure";
	case VIGIL_ERR_STOPPED: return "stopped";
	case VIGIL_ERR_NOMEM: return "out of memory";
	case VIGIL_ERR_INPUT: return "bad input";
	case VIGIL_ERR_IO: return "I/O error";
	case VIGIL_ERR_NOT_FOUND: return "not found";
	case VIGIL_ERR_TOO_BIG: return "too big";
	}
	return "unknown result";
}
