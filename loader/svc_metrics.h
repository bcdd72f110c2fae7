/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* svc_metrics.h - the service's counters in the Prometheus text format. */
#ifndef FG_SVC_METRICS_H
#define FG_SVC_METRICS_H

#include "ctl.h"

struct fg_svc;

/* Into resp->text; resp->status -E2BIG when it does not fit. */
void fg_svc_metrics(struct fg_svc *s, struct fg_ctl_resp *resp);

#endif /* FG_SVC_METRICS_H */
