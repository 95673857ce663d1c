from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import F

from project.kernel.fields import CodeField


class ReplicaRecord(models.Model):
    """One record of another department, as this service last heard of it by event (see
    `replica`). In the service's own `default` schema: a replica is the reader's, not the
    owner's."""

    department = models.CharField(max_length=20)
    code = models.CharField(max_length=3)  # as the owner stores it
    # The code in upper case: lookups in any letter case, and a batch bound as one array.
    key = CodeField(max_length=3)
    state = models.JSONField(null=True)  # the record's fields; None once deleted
    version = models.BigIntegerField()  # of the newest event applied
    changed_at = models.DateTimeField()  # when the owner made that change

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "key"], name="replica_record_key"),
        ]
        indexes = [
            models.Index(fields=["department", "code"], name="replica_department_code_idx"),
            models.Index(fields=["department", "changed_at"], name="replica_changed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.code} v{self.version}"

    @property
    def deleted(self) -> bool:
        return self.state is None


class ReplicaVersion(models.Model):
    """How many changes this service's replica of a department has applied: raised in the
    transaction that applies them, so that one query tells whether the replica changed since
    an answer was built from it (see `data_versions`)."""

    department = models.CharField(max_length=20, unique=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.department} v{self.version}"


def raise_version(model: type[models.Model], *, using: str, by: int = 1, **key: object) -> None:
    """Add `by` to the `version` of the row of `model` with `key`, creating the row where there
    is none; inside the caller's transaction. The row stays locked until that transaction ends,
    so concurrent writers raise it one after another, in the order they commit."""
    rows = model._default_manager.using(using).filter(**key)
    if rows.update(version=F("version") + by):
        return
    try:
        with transaction.atomic(using=using):
            model._default_manager.using(using).create(version=by, **key)
    except IntegrityError:  # another writer created it meanwhile: raise theirs
        raise_version(model, using=using, by=by, **key)


def read_version(model: type[models.Model], column: str, value: int | str) -> int:
    """The `version` of the row of `model` whose `column` is `value`; 0 where there is none.
    Plain SQL: read on every revalidation of a tag (see `conditional`), where compiling the
    ORM's query cost more CPU than running it."""
    connection = connections[router.db_for_read(model)]
    table, column = (connection.ops.quote_name(name) for name in (model._meta.db_table, column))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE {column} = %s", [value])
        row = cursor.fetchone()
    return row[0] if row else 0
