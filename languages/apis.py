"""The language department's REST API: the shared code + name record API, and the compatibility
API, over the department's own selectors and services."""

from languages.models import Language
from languages.selectors import language_get, language_list
from languages.services import language_create, language_update
from project.records import RecordOperations, record_api_urls
from project.v1 import record_urls

OPERATIONS = RecordOperations(
    model=Language,
    list_records=language_list,
    get_record=language_get,
    create_record=language_create,
    update_record=language_update,
)

urls = record_api_urls("languages", OPERATIONS)
v1_urls = record_urls("languages", OPERATIONS)
