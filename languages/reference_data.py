"""ISO 639-1 languages (those with a two-letter code) from pycountry, named in the site's
languages by CLDR."""

import pycountry
from django.db import router, transaction

from languages.models import Language
from languages.search import language_cldr_names
from languages.services import language_create, language_update
from project.kernel.reference_data import LoadReport, ReferenceRecord, load_missing


def load_reference_data() -> LoadReport:
    with transaction.atomic(using=router.db_for_write(Language)):
        return load_missing(
            {
                language.alpha_2: ReferenceRecord(
                    language.name, language_cldr_names(language.alpha_2)
                )
                for language in pycountry.languages
                if hasattr(language, "alpha_2")
            },
            existing=Language.objects.all(),
            create=language_create,
            rename=lambda language, names: language_update(language=language, names=names),
        )
