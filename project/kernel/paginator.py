"""A paginator that runs COUNT only when the answer needs it."""

from django.core.paginator import Page, Paginator


class ThriftyPaginator(Paginator):
    """Django's Paginator, minus the COUNT it can do without: a count the caller already knows
    is taken as is, and a first page that is not full counts itself. (A lookup of a batch of
    codes, the most frequent list request between services, is such a page.)"""

    def __init__(self, object_list, per_page, *, count: int | None = None):
        super().__init__(object_list, per_page)
        if count is not None:
            self.count = count  # fills the cached property

    def page(self, number):
        if number == 1 and "count" not in self.__dict__:
            rows = list(self.object_list[: self.per_page])
            if len(rows) < self.per_page:
                self.count = len(rows)
            return Page(rows, 1, self)
        return super().page(number)
