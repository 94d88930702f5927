"""`branchwork smtpd --host H --port P`: an SMTP server that takes contributions.

It accepts mail for CONTRIBUTION_EMAIL only and stores each message like `ingest_email` does.
Run it behind the organization's mail server (which forwards the contribution address to it),
on a port above 1024 (2525 by default); Ctrl-C or SIGTERM stops it cleanly.
"""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from branchwork.intake import services


class Command(BaseCommand):
    help = "Run an SMTP server that turns mail to the contribution address into contributions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument(
            "--port", type=int, default=2525, help="Port to listen on (default 2525)."
        )

    def handle(self, *args, host: str, port: int, **options):
        try:
            from branchwork.intake.smtp import make_controller

            controller = make_controller(host, port)
        except ImportError as exc:
            raise CommandError(f"aiosmtpd is not installed: {exc}") from exc
        if not services.contribution_addresses():
            raise CommandError(
                "CONTRIBUTION_EMAIL is not set: there is no address to take mail for."
            )
        stop = threading.Event()
        in_main = threading.current_thread() is threading.main_thread()
        # Ctrl-C (SIGINT) and SIGTERM (systemd, docker stop) both stop it after the message in
        # hand is stored; SIGINT is caught even when the shell started us with it ignored.
        previous = {}
        if in_main:
            for signum in (signal.SIGINT, signal.SIGTERM):
                previous[signum] = signal.signal(signum, lambda *_: stop.set())
        try:
            controller.start()
        except Exception as exc:  # noqa: BLE001 - a port in use, a bad address
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc
        self.stdout.write(
            f"Taking mail for {', '.join(sorted(services.contribution_addresses()))} on {host}:{port} "
            f"(messages up to {services.max_bytes()} bytes). Ctrl-C stops."
        )
        try:
            while not stop.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self.stdout.write("Stopped.")
