"""Hold a TCP port during `make test` and record every connection made to it.

`make test` serves its own HTTP server on a free port; nothing in the suite may talk to
the demo server's port (8069). When that port is free, this sentinel listens on it and
writes one line per connection to the file given, so the run fails if a test reached it.
Usage: port_sentinel.py PORT LOGFILE   (exits on SIGTERM; exit 3 if the port is taken)
"""

import signal
import socket
import sys


def main():
    port, log_path = int(sys.argv[1]), sys.argv[2]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("0.0.0.0", port))
    except OSError:
        sys.exit(3)
    listener.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(log_path, "a", buffering=1) as log:
        while True:
            connection, peer = listener.accept()
            log.write(f"connection from {peer[0]}:{peer[1]}\n")
            connection.close()


if __name__ == "__main__":
    main()
