/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* svc_json.h - the service's status as one JSON document. */
#ifndef FG_SVC_JSON_H
#define FG_SVC_JSON_H

#include "ctl.h"

struct fg_svc;

/* Into resp->text; resp->status -E2BIG when it does not fit. */
void fg_svc_status_json(struct fg_svc *s, struct fg_ctl_resp *resp);

#endif /* FG_SVC_JSON_H */
