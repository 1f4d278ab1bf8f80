/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ksf: a per-core sockets framework for Linux. Include this one header.
 * Objects: pool (workers), task, svc (service), conn (connection).
 */
#ifndef KSF_H
#define KSF_H

#include <ksf/error.h>
#include <ksf/pool.h>
#include <ksf/task.h>
#include <ksf/svc.h>
#include <ksf/conn.h>
#include <ksf/dgram.h>
#include <ksf/offload.h>
#include <ksf/fileop.h>
#include <ksf/rpcsvc.h>
#include <ksf/parse.h>
#include <ksf/rpc.h>

#define KSF_VERSION "0.1.0"

#endif
