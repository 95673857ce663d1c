"""The currency department's REST API: the code + name record API over the department's own
selectors and services."""

from currencies.models import Currency
from currencies.selectors import currency_get, currency_list
from currencies.services import currency_create, currency_update
from project.kernel.records import RecordDetailApi, RecordListCreateApi, RecordOperations

OPERATIONS = RecordOperations(
    model=Currency,
    list_records=currency_list,
    get_record=currency_get,
    create_record=currency_create,
    update_record=currency_update,
)


class CurrencyListCreateApi(RecordListCreateApi):
    operations = OPERATIONS


class CurrencyDetailApi(RecordDetailApi):
    operations = OPERATIONS
