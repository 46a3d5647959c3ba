#!/usr/bin/env python3
"""Local SMTP references of the benchmark (standard library only).

    smtp_ref.py sink PORT          accept every message on 127.0.0.1:PORT
    smtp_ref.py send PORT N BYTES  send N messages of about BYTES bytes

The sink keeps no message: it counts them and the bytes received, and notes
when the first and the last one ended. On any connection, the line "STAT"
answers "count bytes first last" and "RESET" sets the counts back to zero,
so that one sink serves every run.

The sender is the bare client the portal's sending is compared with: one
connection, the messages built before the clock starts, then sent one after
the other with smtplib.
"""

import asyncio
import smtplib
import sys
import time


class Counts:
    def __init__(self):
        self.reset()

    def reset(self):
        self.count = 0
        self.bytes = 0
        self.first = 0.0
        self.last = 0.0

    def delivered(self, size):
        now = time.time()
        if self.count == 0:
            self.first = now
        self.count += 1
        self.bytes += size
        self.last = now


COUNTS = Counts()
EHLO = (b"250-sink.localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
        b"250-SIZE 104857600\r\n250 PIPELINING\r\n")


async def session(reader, writer):
    writer.write(b"220 sink.localhost ESMTP\r\n")
    await writer.drain()
    while True:
        line = await reader.readline()
        if not line:
            break
        verb = line[:4].upper()
        if verb == b"STAT":
            writer.write(f"{COUNTS.count} {COUNTS.bytes} {COUNTS.first} {COUNTS.last}\r\n".encode())
        elif verb == b"RESE" and line.strip().upper() == b"RESET":
            COUNTS.reset()
            writer.write(b"250 counts reset\r\n")
        elif verb in (b"EHLO", b"HELO"):
            writer.write(EHLO if verb == b"EHLO" else b"250 sink.localhost\r\n")
        elif verb == b"DATA":
            writer.write(b"354 end with .\r\n")
            await writer.drain()
            size = 0
            while True:
                part = await reader.readline()
                if not part or part == b".\r\n":
                    break
                size += len(part)
            COUNTS.delivered(size)
            writer.write(b"250 queued\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:
            # MAIL, RCPT, RSET, NOOP and anything else: accepted.
            writer.write(b"250 ok\r\n")
        await writer.drain()
    writer.close()


async def sink(port):
    server = await asyncio.start_server(session, "127.0.0.1", port)
    print(f"sink listens on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


def message(index, size):
    """A plain-text and HTML message of about `size` bytes."""
    filler = "Nouveaux rapports de contrôle disponibles sur le portail. "
    text = (filler * (size // (2 * len(filler)) + 1))[: size // 2]
    return (
        f"From: Laboratoire <no-reply@example.com>\r\n"
        f"To: <compte{index}@example.net>\r\n"
        f"Subject: Nouveaux rapports\r\n"
        f"Message-ID: <{index}.bench@example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        f"{text}\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        f"<p>{text}</p>\r\n--b--\r\n"
    ).encode()


def send(port, count, size):
    messages = [(f"compte{i}@example.net", message(i, size)) for i in range(count)]
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo("bench.localhost")
        for to, body in messages:
            client.sendmail("no-reply@example.com", [to], body)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "sink":
        asyncio.run(sink(int(sys.argv[2])))
    elif len(sys.argv) == 5 and sys.argv[1] == "send":
        send(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
