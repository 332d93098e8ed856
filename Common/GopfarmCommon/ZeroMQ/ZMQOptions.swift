import CZeroMQ

// Socket option names for modules that do not import CZeroMQ themselves.
public let gf_reconnectInterval = gf_ZMQ_RECONNECT_IVL()
public let gf_reconnectIntervalMax = gf_ZMQ_RECONNECT_IVL_MAX()
public let gf_maxMessageSize = gf_ZMQ_MAXMSGSIZE()
public let gf_linger = gf_ZMQ_LINGER()
public let gf_handshakeInterval = gf_ZMQ_HANDSHAKE_IVL()
public let gf_sendTimeout = gf_ZMQ_SNDTIMEO()
