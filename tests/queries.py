from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

# Beside its data, an answer reads the data version of each department it reads, once, for its
# ETag (project/kernel/conditional.py).
VERSION_READ = 1


@contextmanager
def queries_per_alias():
    """Count the SQL queries each database alias runs inside the block.

    Yields a dict that is filled in, alias -> count, when the block ends."""
    counts: dict[str, int] = {}
    contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in settings.DATABASES}
    with ExitStack() as stack:
        for context in contexts.values():
            stack.enter_context(context)
        yield counts
    counts.update({alias: len(context) for alias, context in contexts.items()})
