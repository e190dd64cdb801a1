#ifndef MUSTER_VERSION_H
#define MUSTER_VERSION_H
#define MUSTER_VERSION "0.1.0"
#endif
