from django.core.management.base import BaseCommand, CommandError

from branchwork.rulebook.loader import RulebookError, load_rulebook


class Command(BaseCommand):
    help = "Validate a rulebook file; print its types, or what is wrong (file, entry, problem)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the rulebook YAML file")

    def handle(self, *args, file, **options):
        try:
            rulebook = load_rulebook(file)
        except RulebookError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{rulebook.path}: {rulebook.name_zh} / {rulebook.name_en}, "
                          f"{len(rulebook.types)} types")
        for t in rulebook.types.values():
            cadence = f"≥{t.cadence.count}/{t.cadence.per}" if t.cadence else "as planned"
            quorum = (f", quorum {'≥' if t.quorum.inclusive else '>'} {t.quorum.more_than:g} of "
                      f"{t.quorum.of}") if t.quorum else ""
            flags = "".join([", joint" if t.joint else "", ", local rule" if t.local else "",
                             f", before {t.before}" if t.before else ""])
            self.stdout.write(f"  {t.code:<22} {t.name_zh} / {t.name_en}: {cadence}, "
                              f"{t.attendance}{quorum}; for {', '.join(t.applies_to)}{flags}")
        self.stdout.write(self.style.SUCCESS("OK"))
