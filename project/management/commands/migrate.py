"""`migrate` for every database alias this process owns.

Without `--database`, each owned alias is migrated in turn (default first, then each
department). On PostgreSQL an alias's schema is created first if it is missing. The cache table
the rate limits count in is made with the alias that holds it."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands import migrate
from django.db import connections


def ensure_schema(alias: str) -> None:
    connection = connections[alias]
    schema = connection.settings_dict.get("SCHEMA")
    if connection.vendor == "postgresql" and schema:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {connection.ops.quote_name(schema)}")


class Command(migrate.Command):
    help = "Migrates every database alias this process owns (or the one named by --database)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database=None)

    def _aliases(self, options) -> list[str]:
        return [options["database"]] if options["database"] else list(settings.DATABASES)

    def get_check_kwargs(self, options):
        return {**super().get_check_kwargs(options), "databases": self._aliases(options)}

    def handle(self, *args, **options):
        aliases = self._aliases(options)
        for alias in aliases:
            if options["verbosity"] >= 1 and len(aliases) > 1:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Database alias '{alias}':"))
            ensure_schema(alias)
            # Checks ran once for all aliases, before the first.
            super().handle(*args, **{**options, "database": alias, "skip_checks": True})
            # The rate limits' table, where the router keeps it (`default`); idempotent.
            call_command("createcachetable", database=alias, verbosity=options["verbosity"])
