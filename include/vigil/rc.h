/*
 * rc.h — the one result code every vigil library returns, as curl has
 * CURLcode. A function that can fail returns a vigil_rc and the caller
 * writes `rc = f(); if (rc) return rc;`. Where a user must fix input
 * (rules files, vigil.yaml) the details go to a struct vigil_diag
 * (diag.h) as file:line:col; where the caller must explain a failure to
 * a person, functions fill an `err` buffer. Only process edges log.
 *
 * The first four values are the AWS fetch outcomes they grew from: they
 * tell a retrying caller what to do next.
 */
#ifndef VIGIL_RC_H
#define VIGIL_RC_H

typedef enum vigil_rc {
	VIGIL_OK = 0,
	VIGIL_ERR_TRANSIENT, /* network, throttling, 5xx: try again later */
	VIGIL_ERR_PERMANENT, /* configuration or permission: a person must act */
	VIGIL_ERR_STOPPED,   /* the owner is shutting down */
	VIGIL_ERR_NOMEM,     /* out of memory (or a library's allocation refused) */
	VIGIL_ERR_INPUT,     /* bad input: the diagnostics or err say where */
	VIGIL_ERR_IO,	     /* a system call failed; errno says why */
	VIGIL_ERR_NOT_FOUND, /* the object asked for does not exist */
	VIGIL_ERR_TOO_BIG,   /* over a configured size limit */
} vigil_rc;

/* A short constant English name ("transient failure"); never NULL. */
const char *vigil_rc_str(vigil_rc rc);

#endif
