// SPDX-License-Identifier: BSD-2-Clause
/*
 * The check every name from the wire passes before it reaches a store
 * (store.h): a name is one path component, never a path. RFC 1813 §3.2
 * leaves "." and ".." to the server; like the Linux nfsd, only LOOKUP
 * gives them meaning.
 */
#include <errno.h>
#include <string.h>
#include "store.h"

int krpc_name_check(const char *name, uint32_t namelen, bool dots_ok)
{
	if (namelen == 0)
		return -ENOENT;
	if (namelen > KRPC_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', namelen) || memchr(name, '\0', namelen))
		return -EINVAL;
	if (name[0] == '.' && (namelen == 1 || (namelen == 2 && name[1] == '.')))
		return dots_ok ? 0 : -EEXIST;
	return 0;
}
