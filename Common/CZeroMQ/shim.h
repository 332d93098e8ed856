// libzmq through one header; constants that are macros become functions where Swift needs them.
#ifndef GF_CZEROMQ_SHIM_H
#define GF_CZEROMQ_SHIM_H
#include <zmq.h>
static inline int gf_ZMQ_ROUTER(void) { return ZMQ_ROUTER; }
static inline int gf_ZMQ_DEALER(void) { return ZMQ_DEALER; }
static inline int gf_ZMQ_POLLIN(void) { return ZMQ_POLLIN; }
static inline int gf_ZMQ_SNDMORE(void) { return ZMQ_SNDMORE; }
static inline int gf_ZMQ_DONTWAIT(void) { return ZMQ_DONTWAIT; }
static inline int gf_ZMQ_RCVMORE(void) { return ZMQ_RCVMORE; }
static inline int gf_ZMQ_LINGER(void) { return ZMQ_LINGER; }
static inline int gf_ZMQ_HANDSHAKE_IVL(void) { return ZMQ_HANDSHAKE_IVL; }
static inline int gf_ZMQ_LAST_ENDPOINT(void) { return ZMQ_LAST_ENDPOINT; }
static inline int gf_ZMQ_ROUTER_MANDATORY(void) { return ZMQ_ROUTER_MANDATORY; }
static inline int gf_ZMQ_MAXMSGSIZE(void) { return ZMQ_MAXMSGSIZE; }
static inline int gf_ZMQ_RECONNECT_IVL(void) { return ZMQ_RECONNECT_IVL; }
static inline int gf_ZMQ_RECONNECT_IVL_MAX(void) { return ZMQ_RECONNECT_IVL_MAX; }
static inline int gf_ZMQ_SNDHWM(void) { return ZMQ_SNDHWM; }
static inline int gf_ZMQ_RCVHWM(void) { return ZMQ_RCVHWM; }
static inline int gf_ZMQ_SNDTIMEO(void) { return ZMQ_SNDTIMEO; }
static inline int gf_ZMQ_PAIR(void) { return ZMQ_PAIR; }
static inline int gf_ZMQ_REP(void) { return ZMQ_REP; }
static inline int gf_ZMQ_CURVE_SERVER(void) { return ZMQ_CURVE_SERVER; }
static inline int gf_ZMQ_CURVE_PUBLICKEY(void) { return ZMQ_CURVE_PUBLICKEY; }
static inline int gf_ZMQ_CURVE_SECRETKEY(void) { return ZMQ_CURVE_SECRETKEY; }
static inline int gf_ZMQ_CURVE_SERVERKEY(void) { return ZMQ_CURVE_SERVERKEY; }
static inline int gf_ZMQ_ZAP_DOMAIN(void) { return ZMQ_ZAP_DOMAIN; }
static inline int gf_ZMQ_EVENT_HANDSHAKE_SUCCEEDED(void) { return ZMQ_EVENT_HANDSHAKE_SUCCEEDED; }
static inline int gf_ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL(void) { return ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL; }
static inline int gf_ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL(void) { return ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL; }
static inline int gf_ZMQ_EVENT_HANDSHAKE_FAILED_AUTH(void) { return ZMQ_EVENT_HANDSHAKE_FAILED_AUTH; }
static inline int gf_ZMQ_EVENT_DISCONNECTED(void) { return ZMQ_EVENT_DISCONNECTED; }
static inline int gf_EAGAIN(void) { return EAGAIN; }
static inline int gf_EINTR(void) { return EINTR; }
static inline int gf_EHOSTUNREACH(void) { return EHOSTUNREACH; }
#endif
