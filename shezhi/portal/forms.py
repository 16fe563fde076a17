"""The public search form: every query parameter is optional and a bad one is ignored with a
message, so a hand-edited or stale link still shows results instead of an error page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shezhi.areas.models import Area
from shezhi.portal import selectors
from shezhi.registry.models import CommunityCategory, LegalForm, OrganizationStatus, Rating, RegistrationKind
from shezhi.registry.selectors import DEFAULT_SORT, OrganizationFilters

ANY = [("", gettext_lazy("Any"))]
SORT_CHOICES = [
    ("name", gettext_lazy("Name (pinyin A–Z)")),
    ("-name", gettext_lazy("Name (pinyin Z–A)")),
    ("-founded", gettext_lazy("Newest first")),
    ("founded", gettext_lazy("Oldest first")),
]
MAX_QUERY = 100


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or business scope contains"), required=False)
    registration = forms.ChoiceField(label=gettext_lazy("Registration"), choices=ANY + RegistrationKind.choices, required=False)
    legal_form = forms.ChoiceField(label=gettext_lazy("Legal form"), choices=ANY + LegalForm.choices, required=False)
    town = forms.IntegerField(label=gettext_lazy("Town / street"), required=False, min_value=1)
    community = forms.IntegerField(label=gettext_lazy("Community"), required=False, min_value=1)
    community_category = forms.ChoiceField(
        label=gettext_lazy("Community organization category"), choices=ANY + CommunityCategory.choices, required=False
    )
    rating = forms.ChoiceField(label=gettext_lazy("Rating"), choices=ANY + Rating.choices, required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ANY + OrganizationStatus.choices, required=False)
    hub = forms.BooleanField(label=gettext_lazy("Hub or support organization"), required=False)
    social_work_agency = forms.BooleanField(label=gettext_lazy("Social work service agency"), required=False)
    charity = forms.BooleanField(label=gettext_lazy("Charity organization"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), choices=SORT_CHOICES, required=False)

    def clean_q(self) -> str:
        # Longer text cannot be a name or a phrase of a scope worth matching; cut, don't refuse.
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY]


@dataclass
class Search:
    """What the page searches for, after bad parameters have been dropped."""

    filters: OrganizationFilters
    town: Area | None
    community: Area | None
    towns: list[Area]
    communities: list[Area]
    problems: list[str] = field(default_factory=list)


def parse_search(data) -> Search:
    """Read the search parameters; each bad one is dropped with a message saying so."""
    form = SearchForm(data)
    form.is_valid()
    problems = [
        _("“%(value)s” is not a valid value for %(field)s; that filter was ignored.")
        % {"value": str(data.get(name, ""))[:40], "field": form.fields[name].label}
        for name in form.errors
    ]
    values = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
    towns = selectors.town_options()
    town = community = None
    if "town" in values:
        town = next((t for t in towns if t.pk == values["town"]), None) or selectors.town_by_id(values["town"])
        if town is None:
            problems.append(_("There is no town or street with the number %(id)s; that filter was ignored.") % {"id": values["town"]})
    communities = selectors.community_options(town) if town else []
    if "community" in values:
        community = next((c for c in communities if c.pk == values["community"]), None)
        if community is None:
            found = selectors.community_by_id(values["community"])
            if found is None:
                problems.append(_("There is no community with the number %(id)s; that filter was ignored.") % {"id": values["community"]})
            elif town is None:
                town = next((t for t in towns if t.pk == found.town_id), None) or selectors.town_by_id(found.town_id)
                community = found
                communities = selectors.community_options(town)
            # else: a community of another town, normal after the town was changed: dropped.
    filters = OrganizationFilters(
        q=values.get("q", ""),
        registration=values.get("registration", ""),
        legal_form=values.get("legal_form", ""),
        town=town.pk if town else None,
        community=community.pk if community else None,
        community_category=values.get("community_category", ""),
        rating=values.get("rating", ""),
        status=values.get("status", ""),
        hub=bool(values.get("hub")),
        social_work_agency=bool(values.get("social_work_agency")),
        charity=bool(values.get("charity")),
        sort=values.get("sort", DEFAULT_SORT),
    )
    if town is not None and all(t.pk != town.pk for t in towns):
        towns = [*towns, town]
    return Search(filters=filters, town=town, community=community, towns=towns, communities=communities, problems=problems)


def page_number(data) -> tuple[int, str | None]:
    raw = data.get("page", "")
    if raw in ("", None):
        return 1, None
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1, _("“%(value)s” is not a page number; showing the first page.") % {"value": str(raw)[:20]}
    if number < 1:
        return 1, _("“%(value)s” is not a page number; showing the first page.") % {"value": str(raw)[:20]}
    return number, None
