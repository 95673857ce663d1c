from django.db import models


class ReplicaRecord(models.Model):
    """One record of another department, as this service last heard of it by event (see
    `replica`). In the service's own `default` schema: a replica is the reader's, not the
    owner's."""

    department = models.CharField(max_length=20)
    code = models.CharField(max_length=3)  # as the owner stores it
    key = models.CharField(max_length=3)  # the code in upper case: lookups in any letter case
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
