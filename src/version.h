/* The version of muster and musterctl: one string, read by the Makefile
 * and the tests as well.
 */
#ifndef MUSTER_VERSION_H
#define MUSTER_VERSION_H
#define MUSTER_VERSION "0.2.0"
#endif
