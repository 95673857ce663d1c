"""What the country port tells of a code without asking the department."""

import pytest
from django.urls import reverse

from countries.public import IsoCodes, iso_codes, record_api_path


@pytest.mark.parametrize(
    ("code", "codes"),
    [
        ("DE", IsoCodes("DEU", "276")),
        (" ch ", IsoCodes("CHE", "756")),
        ("aq", IsoCodes("ATA", "010")),
    ],
)
def test_iso_codes_of_an_iso_3166_country(code, codes):
    assert iso_codes(code) == codes


@pytest.mark.parametrize("code", ["QX", "XK", "EU", "DEU"])
def test_a_code_iso_3166_does_not_assign_alpha_2_has_no_iso_codes(code):
    assert iso_codes(code) is None


def test_the_record_api_path_is_the_one_the_department_serves():
    assert record_api_path("DE") == reverse("country-detail", args=["DE"])
