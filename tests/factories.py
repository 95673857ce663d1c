from collections.abc import Callable, Mapping
from typing import TypeVar

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import models
from rest_framework.authtoken.models import Token

from countries.models import Country
from countries.search import country_search_key
from currencies.models import Currency
from currencies.search import currency_search_key
from languages.models import Language
from languages.search import language_search_key
from project.kernel.names import set_names
from project.topology import STAFF_GROUPS

Record = TypeVar("Record", bound=models.Model)


class NamedFactory(factory.django.DjangoModelFactory[Record]):
    """A record saved with the keys its department's services derive from its names."""

    class Meta:
        abstract = True

    names = factory.LazyFunction(dict)
    _search_key: Callable[[str, str, Mapping[str, str]], str]

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        record = model_class(*args, **kwargs)
        set_names(record, name=record.name, names=record.names, search_key=cls._search_key)
        record.save()
        return record


class CurrencyFactory(NamedFactory[Currency]):
    class Meta:
        model = Currency

    code = factory.Sequence(lambda n: f"X{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.Sequence(lambda n: f"Currency {n}")
    _search_key = staticmethod(currency_search_key)


class LanguageFactory(NamedFactory[Language]):
    class Meta:
        model = Language

    code = factory.Sequence(lambda n: f"q{chr(97 + n // 26 % 26)}{chr(97 + n % 26)}")
    name = factory.Sequence(lambda n: f"Language {n}")
    _search_key = staticmethod(language_search_key)


class CountryFactory(NamedFactory[Country]):
    class Meta:
        model = Country

    code = factory.Sequence(lambda n: f"Q{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.Sequence(lambda n: f"Country {n}")
    _search_key = staticmethod(country_search_key)
    currency_code = None
    language_code = None


def department_user(department: str, username: str | None = None):
    """A staff user in the department's group, with an API token."""
    user = get_user_model().objects.create_user(
        username=username or f"{department}-staff", password="correct horse", is_staff=True
    )
    # Transactional tests empty the tables, groups included, after they run; Django then brings
    # back only content types and permissions. Rebuild the group the migration made.
    group, _ = Group.objects.get_or_create(name=STAFF_GROUPS[department])
    group.permissions.add(*Permission.objects.filter(content_type__app_label=department))
    user.groups.add(group)
    Token.objects.create(user=user)
    return user
