"""The currency department's REST API: the shared code + name record API, and the compatibility
API, over the department's own selectors and services."""

from currencies.models import Currency
from currencies.selectors import currency_get, currency_list
from currencies.services import currency_create, currency_update
from project.records import RecordOperations, record_api_urls
from project.v1 import record_urls

OPERATIONS = RecordOperations(
    model=Currency,
    list_records=currency_list,
    get_record=currency_get,
    create_record=currency_create,
    update_record=currency_update,
)

urls = record_api_urls("currencies", OPERATIONS)
v1_urls = record_urls("currencies", OPERATIONS)
