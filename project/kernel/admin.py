"""Each department gets an admin site of its own, showing only its own models, and writing
through the department's services as its API does. Django's own site is for superusers."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

from project.kernel.ports import DepartmentUnavailable
from project.kernel.queries import filter_code_and_name
from project.kernel.throttling import ThrottledAdminSite


def department_admin_site(department: str, title: str) -> admin.AdminSite:
    site = ThrottledAdminSite(name=f"{department}_admin")
    site.site_header = site.site_title = title
    site.index_title = f"{title}: reference data"
    return site


class SuperuserLoginForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(
                gettext("This site is for superusers. Please use your department's site."),
                code="not_superuser",
            )


class SuperuserAdminSite(ThrottledAdminSite):
    """Django's own admin (/admin/: users, groups, tokens) is for superusers only. Department
    staff have their department's site, and change nothing here, not even their password."""

    login_form = SuperuserLoginForm

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class ServiceAdmin(admin.ModelAdmin):
    """A model admin whose writes go through the department's services: the same
    normalisation, validation, links check, race handling and events as the API. The form shows the
    model's own rules first; a write the service still refuses (a race lost, a department gone
    since the form was checked) is shown as an error, and nothing is saved."""

    def create(self, fields: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def update(self, record: Any, fields: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def delete(self, record: Any) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete(obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # One by one, through the service: each deletion tells the others with its own event.
        for record in queryset:
            self.delete(record)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            self.update(obj, {name: form.cleaned_data[name] for name in form.changed_data})
        else:
            fields = {name: form.cleaned_data[name] for name in form.fields}
            obj.pk = self.create(fields).pk  # the log entry and the redirect name the new row

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, DepartmentUnavailable) as error:
            # The admin's transaction has rolled back: nothing of this request was saved.
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, f"Not saved: {text}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class CodeRecordAdmin(ServiceAdmin):
    """Admin for a code + name record. The model form runs the model's own validation (code
    shape, case-insensitive uniqueness, name rules), the same rules the services apply."""

    list_display: tuple[str, ...] = ("code", "name")
    search_fields = ("code", "name")  # shows the search box; the search is the API's

    def get_search_results(
        self, request: HttpRequest, queryset: Any, search_term: str
    ) -> tuple[Any, bool]:
        """What the API's search finds: a record by its code or any of its names, in any letter
        case, with or without accents ("osterreich" finds Austria); listed in the admin's order."""
        return filter_code_and_name(queryset, search=search_term.strip()), False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A code identifies the record in URLs and in other departments' links.
        return ("code",) if obj else ()


class LinkedRecordAdmin(CodeRecordAdmin):
    """Admin for a record that another department links to by code. A delete that would leave
    those links dangling is refused, one record or a bulk "delete selected" alike: the message
    names the records that link to it, as their department answers. While that department
    cannot be asked, the delete is refused too, and the message says so: never deleted blind."""

    linked_by = ("", "")  # what links here, singular and plural: ("country", "countries")
    named_at_most = 20

    def linked_to(self, code: str) -> Sequence[Any]:
        """The records (with `code` and `name`) whose link is `code`."""
        raise NotImplementedError

    def delete_refusals(self, records: Iterable[Any]) -> list[str]:
        """Why each of `records` may not be deleted now; empty when every one may. Once the
        other department is found unavailable, it is not asked again for the rest."""
        refusals = []
        for record in records:
            try:
                linked = self.linked_to(record.code)
            except DepartmentUnavailable as error:
                refusals.append(
                    f"Not deleted: which {self.linked_by[1]} link to {record.code} could not be"
                    f" checked. {error} Please try again later."
                )
                break
            if linked:
                refusals.append(self._refusal(record.code, linked))
        return refusals

    def _refusal(self, code: str, linked: Sequence[Any]) -> str:
        one, many = self.linked_by
        subject = f"1 {one} links" if len(linked) == 1 else f"{len(linked)} {many} link"
        named = ", ".join(f"{record.code} {record.name}" for record in linked[: self.named_at_most])
        more = len(linked) - self.named_at_most
        return (
            f"Not deleted: {subject} to {code}: {named}"
            + (f" and {more} more" if more > 0 else "")
            + f". Relink or unlink {'it' if len(linked) == 1 else 'them'} first."
        )

    def _refused(self, request: HttpRequest, records: Iterable[Any]) -> bool:
        refusals = self.delete_refusals(records)
        for refusal in refusals:
            self.message_user(request, refusal, messages.ERROR)
        return bool(refusals)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Checked before the confirmation is shown and again when it is confirmed.
        record = self.get_object(request, unquote(object_id))
        if (
            record is not None
            and self.has_delete_permission(request, record)
            and self._refused(request, [record])
        ):
            opts = self.opts
            return HttpResponseRedirect(
                reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[quote(record.pk)],
                )
            )
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if (action := actions.get("delete_selected")) is not None:
            delete_selected, name, description = action
            actions[name] = (self._refusing(delete_selected), name, description)
        return actions

    def _refusing(self, delete_selected: Callable[..., Any]) -> Callable[..., Any]:
        def delete_unless_linked(modeladmin: Any, request: HttpRequest, queryset: Any) -> Any:
            # All or nothing, as Django's own action is: a refused record keeps the others too.
            if self._refused(request, queryset):
                self.message_user(request, "Nothing was deleted.", messages.ERROR)
                return None  # back to the list
            return delete_selected(modeladmin, request, queryset)

        return delete_unless_linked
