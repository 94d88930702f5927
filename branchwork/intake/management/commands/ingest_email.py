"""`branchwork ingest_email`: take one RFC 5322 message on standard input (an MTA's pipe).

    # Postfix master.cf, with "tougao  branchwork:" in the aliases or a transport map:
    branchwork unix - n n - - pipe
      flags=FR user=branchwork argv=/srv/branchwork/.venv/bin/branchwork ingest_email --from ${sender} --to ${recipient}

    # or /etc/aliases:  tougao: "|/srv/branchwork/.venv/bin/branchwork ingest_email"

The message is stored first, whatever it contains, then made a draft, held or rejected (see
intake/services.py). The exit status is 0 whenever it was stored, so the MTA does not send again
what we kept; 75 (EX_TEMPFAIL) when it could not be stored (the database is down), so the MTA
keeps it and tries again later.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from branchwork.intake import services

EX_TEMPFAIL = 75
CHUNK = 1024 * 1024


def read_limited(stream, limit: int) -> tuple[bytes, int]:
    """Up to `limit` bytes of the stream, and how many it had in all (the rest is read and dropped,
    so the MTA is not left writing into a closed pipe)."""
    kept = bytearray()
    total = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        total += len(chunk)
        room = limit - len(kept)
        if room > 0:
            kept += chunk[:room]
    return bytes(kept), total


class Command(BaseCommand):
    help = "Store one email message read from standard input and make it a contribution (for an MTA's pipe)."
    # call_command("ingest_email", stdin=...) in tests: any object with .read() or .buffer.read().
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="envelope_from",
            default=None,
            metavar="ADDRESS",
            help="The envelope sender, as the MTA knows it (empty for a bounce).",
        )
        parser.add_argument(
            "--to",
            dest="envelope_to",
            action="append",
            default=[],
            metavar="ADDRESS",
            help="An envelope recipient (repeatable).",
        )

    def handle(self, *args, envelope_from=None, envelope_to=(), **options):
        source = options.get("stdin") or sys.stdin
        stream = getattr(source, "buffer", None) or source
        try:
            raw, total = read_limited(stream, services.hard_limit())
        except (OSError, ValueError) as exc:
            raise CommandError(
                f"Could not read the message: {exc}", returncode=EX_TEMPFAIL
            ) from exc
        if isinstance(raw, str):  # a text stream (tests): encode back
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            message = services.receive(
                raw,
                envelope_from=envelope_from,
                envelope_to=list(envelope_to) or None,
                received_size=total,
            )
        except services.StoreFailed as exc:
            raise CommandError(
                f"Could not store the message; the MTA should try again: {exc}",
                returncode=EX_TEMPFAIL,
            ) from exc
        line = f"Stored message {message.pk} ({message.size} bytes): {message.status}"
        if message.reason:
            line += f": {message.reason}"
        self.stdout.write(line)
