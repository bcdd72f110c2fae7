/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* svc_json.h - the service's status as one JSON document (and the
 * memory stream the metrics answer uses too). */
#ifndef FG_SVC_JSON_H
#define FG_SVC_JSON_H

#include <stdio.h>

#include "ctl.h"

struct fg_svc;

/* A status document written into resp->text through a memory stream
 * (NULL, resp set to the error, when none can be opened); closing it
 * turns a document that did not fit into an -E2BIG answer, never a cut
 * one. */
FILE *fg_svc_doc_open(struct fg_ctl_resp *resp);
void fg_svc_doc_close(FILE *f, struct fg_ctl_resp *resp);

/* Into resp->text; resp->status -E2BIG when it does not fit. */
void fg_svc_status_json(struct fg_svc *s, struct fg_ctl_resp *resp);

#endif /* FG_SVC_JSON_H */
