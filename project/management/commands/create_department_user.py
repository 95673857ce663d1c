from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from project.topology import STAFF_GROUPS


class Command(BaseCommand):
    help = (
        "Creates or updates a staff user of one department (its admin site and API writes). "
        "The API token is printed as the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--department", required=True, choices=sorted(STAFF_GROUPS))
        parser.add_argument("--password", help="Set this password (else an existing one is kept).")

    def handle(self, *args, username, department, password, **options):
        if not settings.TOPOLOGY.is_local(department):
            raise CommandError(
                f"This process (SERVICE={settings.TOPOLOGY.service}) does not serve the "
                f"{department} department; run the command with SERVICE={department} or all."
            )
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=username)
            user.is_staff = True
            if password:
                user.set_password(password)
            elif created:
                user.set_unusable_password()
                self.stderr.write(
                    f"{username!r} has no password: the API token below works, the admin login "
                    "does not until you run this again with --password."
                )
            user.save()
            user.groups.add(Group.objects.get(name=STAFF_GROUPS[department]))
            token, _ = Token.objects.get_or_create(user=user)
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} user {username!r} in the {STAFF_GROUPS[department]}.")
        self.stdout.write(token.key)
