"""The language department's REST API: the code + name record API over the department's own
selectors and services."""

from languages.models import Language
from languages.selectors import language_get, language_list
from languages.services import language_create, language_update
from project.kernel.records import RecordDetailApi, RecordListCreateApi, RecordOperations

OPERATIONS = RecordOperations(
    model=Language,
    list_records=language_list,
    get_record=language_get,
    create_record=language_create,
    update_record=language_update,
)


class LanguageListCreateApi(RecordListCreateApi):
    operations = OPERATIONS


class LanguageDetailApi(RecordDetailApi):
    operations = OPERATIONS
