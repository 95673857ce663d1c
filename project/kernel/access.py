"""One group per department, holding that department's model permissions."""

from django.db import migrations

_ACTIONS = ("add", "change", "delete", "view")


def department_group_operation(*, department: str, model: str, group: str) -> migrations.RunPython:
    """A migration step creating the department's staff `group` with every permission on `model`.

    It runs on `default` (where auth lives). Permissions are created here rather than left to
    the post-migrate signal, which runs only after all migrations."""

    def create_group(apps, schema_editor):
        alias = schema_editor.connection.alias
        content_type_model = apps.get_model("contenttypes", "ContentType")
        permission_model = apps.get_model("auth", "Permission")
        group_model = apps.get_model("auth", "Group")
        content_type, _ = content_type_model.objects.using(alias).get_or_create(
            app_label=department, model=model
        )
        permissions = [
            permission_model.objects.using(alias).get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )[0]
            for action in _ACTIONS
        ]
        staff, _ = group_model.objects.using(alias).get_or_create(name=group)
        staff.permissions.add(*permissions)

    def delete_group(apps, schema_editor):
        group_model = apps.get_model("auth", "Group")
        alias = schema_editor.connection.alias
        group_model.objects.using(alias).filter(name=group).delete()

    return migrations.RunPython(create_group, delete_group, hints={"target_db": "default"})
