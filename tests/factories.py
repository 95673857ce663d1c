import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token

from countries.models import Country
from countries.search import country_search_key
from currencies.models import Currency
from currencies.search import currency_search_key
from languages.models import Language
from languages.search import language_search_key
from project.kernel.collation import sort_key
from project.topology import STAFF_GROUPS


class CurrencyFactory(factory.django.DjangoModelFactory[Currency]):
    class Meta:
        model = Currency

    code = factory.Sequence(lambda n: f"X{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.Sequence(lambda n: f"Currency {n}")
    search_key = factory.LazyAttribute(lambda row: currency_search_key(row.code, row.name))
    name_sort_key = factory.LazyAttribute(lambda row: sort_key(row.name))


class LanguageFactory(factory.django.DjangoModelFactory[Language]):
    class Meta:
        model = Language

    code = factory.Sequence(lambda n: f"q{chr(97 + n // 26 % 26)}{chr(97 + n % 26)}")
    name = factory.Sequence(lambda n: f"Language {n}")
    search_key = factory.LazyAttribute(lambda row: language_search_key(row.code, row.name))
    name_sort_key = factory.LazyAttribute(lambda row: sort_key(row.name))


class CountryFactory(factory.django.DjangoModelFactory[Country]):
    class Meta:
        model = Country

    code = factory.Sequence(lambda n: f"Q{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.Sequence(lambda n: f"Country {n}")
    search_key = factory.LazyAttribute(lambda row: country_search_key(row.code, row.name))
    name_sort_key = factory.LazyAttribute(lambda row: sort_key(row.name))
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
