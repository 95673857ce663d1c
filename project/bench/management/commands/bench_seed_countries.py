import json

from django.core.management.base import BaseCommand, CommandError

from project.bench.compare.seeding import seed_countries


class Command(BaseCommand):
    help = "Tops the countries up to --target with synthetic, fully linked ones; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--target", type=int, required=True, help="countries in all")

    def handle(self, *args, target, **options):
        try:
            summary = seed_countries(target)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(summary))
