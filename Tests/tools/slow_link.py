#!/usr/bin/env python3
"""slow_link.py: a TCP relay whose downstream is slow, a slow link without root or namespaces.

    python3 Tests/tools/slow_link.py TARGET_HOST TARGET_PORT BYTES_PER_SECOND

Listens on a free loopback port and prints "listening PORT" once it does. Each connection is
relayed to TARGET; bytes from TARGET back to the client (the coordinator's messages to an agent:
a segment's input) go out at most BYTES_PER_SECOND, in 4 KiB writes; the other direction is not
shaped. Runs until killed. Used by SlowLinkTests (an agent behind a link slower than the lease's
no-progress bound).
"""
import asyncio
import sys
import time

CHUNK = 4096


async def pump(reader, writer, rate):
    started = time.monotonic()
    sent = 0
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
            if rate:
                sent += len(data)
                ahead = sent / rate - (time.monotonic() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main():
    host, port, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

    async def relay(client_reader, client_writer):
        try:
            target_reader, target_writer = await asyncio.open_connection(host, port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, target_writer, 0), pump(target_reader, client_writer, rate))

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
