/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Failing fast under libqtest. libqtest (QEMU 7.2 tests/qtest/libqtest.c)
 * listens on the -qtest unix: socket and the QMP client socket and waits up
 * to 50 s in accept() for each, whether or not the process it started is
 * still alive. A command line hvmdm refuses would cost a test that wait; so
 * before exiting with an error hvmdm connects to each socket the command
 * line names as a client and closes it at once: libqtest's accepts return,
 * its first read sees end of file, and it aborts with the error message
 * already on stderr. libqtest unlinks its sockets after accepting, so after
 * a session that ran this finds nothing to connect to.
 */
#ifndef DM_SIM_QTEST_FAILFAST_H
#define DM_SIM_QTEST_FAILFAST_H

/* Connect to and close "-qtest unix:P" and every "-chardev socket,...,path=P" without server=on. */
void qtest_fail_fast(int argc, char *const argv[]);

#endif
