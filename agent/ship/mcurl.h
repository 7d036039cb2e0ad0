/*
 * mcurl.h — libcurl's multi-socket interface on the analyzer's evloop.
 *
 * curl tells us which sockets to watch and when its timeout is due; we map
 * those onto evloop fds and one evloop timer, and hand finished transfers
 * to their owners. One multi handle per ship, so HTTP/2 connections and
 * the connection cache are shared by every request to the same host.
 */
#ifndef VIGIL_SHIP_MCURL_H
#define VIGIL_SHIP_MCURL_H

#include <curl/curl.h>

struct evloop;
struct mcurl;

/* Embed in the owner's request; set CURLOPT_PRIVATE is done by mcurl_start. */
struct mcurl_xfer {
	void (*done)(struct mcurl_xfer *x, CURLcode rc);
	CURL *easy;
};

struct mcurl *mcurl_new(struct evloop *loop);
/* Start x->easy; done() runs later from the loop (never from inside this call). */
int mcurl_start(struct mcurl *m, struct mcurl_xfer *x);
/* Stop a transfer without calling done(); the owner frees its easy handle. */
void mcurl_abort(struct mcurl *m, struct mcurl_xfer *x);
void mcurl_free(struct mcurl *m);

#endif
