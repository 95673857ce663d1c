"""ISO 639-1 languages (those with a two-letter code) from pycountry."""

import pycountry
from django.db import router, transaction

from languages.models import Language
from languages.services import language_create
from project.kernel.reference_data import LoadReport, create_missing


def load_reference_data() -> LoadReport:
    with transaction.atomic(using=router.db_for_write(Language)):
        return create_missing(
            {
                language.alpha_2: language.name
                for language in pycountry.languages
                if hasattr(language, "alpha_2")
            },
            existing_codes=Language.objects.values_list("code", flat=True),
            create=language_create,
        )
