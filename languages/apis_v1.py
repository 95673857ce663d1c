"""The language department's compatibility API (/api/v1/languages), over the same operations."""

from languages.apis import OPERATIONS
from project.kernel.v1 import V1RecordDetailApi, V1RecordListCreateApi


class V1LanguageListCreateApi(V1RecordListCreateApi):
    operations = OPERATIONS


class V1LanguageDetailApi(V1RecordDetailApi):
    operations = OPERATIONS
