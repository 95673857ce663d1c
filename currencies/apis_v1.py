"""The currency department's compatibility API (/api/v1/currencies), over the same operations."""

from currencies.apis import OPERATIONS
from project.kernel.v1 import V1RecordDetailApi, V1RecordListCreateApi


class V1CurrencyListCreateApi(V1RecordListCreateApi):
    operations = OPERATIONS


class V1CurrencyDetailApi(V1RecordDetailApi):
    operations = OPERATIONS
