// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only LD_PRELOAD shim for tests/toolstack/toolstack.py: the daemon's
 * first epoll_wait (the main loop, which runs only after the sandbox is
 * entered) first makes one system call that is not on the allow-list
 * (getppid), so the real filter in the real binary must kill the process
 * and log the call's name.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	static int (*real)(int, struct epoll_event *, int, int);

	syscall(SYS_getppid);
	if (!real)
		real = (int (*)(int, struct epoll_event *, int, int))dlsym(RTLD_NEXT, "epoll_wait");
	return real(epfd, events, maxevents, timeout);
}
