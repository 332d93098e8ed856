import CZeroMQ

extension ZMQSocket {
    /// Waits up to `milliseconds` until any of `sockets` has a message; the indices of those that do.
    public static func poll(_ sockets: [ZMQSocket], milliseconds: Int) throws(ZMQError) -> [Int] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(gf_ZMQ_POLLIN()), revents: 0) }
        let n = zmq_poll(&items, Int32(items.count), milliseconds)
        if n < 0 {
            if zmq_errno() == gf_EINTR() { return [] }
            throw ZMQError("zmq_poll")
        }
        guard n > 0 else { return [] }
        return items.indices.filter { items[$0].revents & Int16(gf_ZMQ_POLLIN()) != 0 }
    }
}
