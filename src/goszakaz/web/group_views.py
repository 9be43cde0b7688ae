"""The preschool administrator's pages: its groups (create, rename, age group, archive) and the
teachers' accounts (a login and a first password to hand over; deactivate)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.registry.models import AgeGroup, Group, Membership, Preschool, Role
from goszakaz.registry.services import RegistryError
from goszakaz.web.permissions import actor_of, own_preschool, permits
from goszakaz.web.views import posted_id
from goszakaz.workflows import staff


class GroupForm(forms.Form):
    """A group's name and age group."""

    name = forms.CharField(max_length=100, label=gettext_lazy("Name"))
    age_group = forms.ChoiceField(choices=AgeGroup.choices, label=gettext_lazy("Age group"))


class TeacherForm(forms.Form):
    """A teacher's account for a group."""

    group = forms.ModelChoiceField(queryset=Group.objects.none(), label=gettext_lazy("Group"))
    username = forms.CharField(max_length=40, label=gettext_lazy("Login"))
    password = forms.CharField(min_length=8, max_length=128, label=gettext_lazy("First password"),
                               help_text=gettext_lazy("Hand it over to the teacher."))


def _preschool(request: HttpRequest) -> Preschool:
    return get_object_or_404(Preschool.objects.select_related("city"), pk=own_preschool(request))


@permits(Action.GROUPS_MANAGE, post=Action.GROUPS_MANAGE)
def preschool_groups(request: HttpRequest) -> HttpResponse:
    """The preschool's groups: create one; rename, set the age group, archive or restore."""
    actor, now, preschool = actor_of(request), clock.now(), _preschool(request)
    form = GroupForm(request.POST if request.POST.get("do") == "create" else None)
    if request.method == "POST":
        try:
            with transaction.atomic():
                if request.POST.get("do") == "create":
                    if not form.is_valid():
                        raise RegistryError(" ".join(str(e) for errs in form.errors.values()
                                                     for e in errs))
                    staff.create_group(preschool=preschool, actor=actor, now=now,
                                       **form.cleaned_data)
                    messages.success(request, _("The group is created."))
                else:
                    group = get_object_or_404(Group, preschool=preschool,
                                              pk=posted_id(request.POST.get("group")) or 0)
                    changes: dict[str, object] = {}
                    if request.POST.get("do") in ("archive", "restore"):
                        changes["active"] = request.POST["do"] == "restore"
                    else:
                        changes["name"] = request.POST.get("name", "")
                        if request.POST.get("age_group") in AgeGroup.values:
                            changes["age_group"] = request.POST["age_group"]
                    if staff.change_group(group=group, changes=changes, actor=actor, now=now):
                        messages.success(request, _("The group is saved."))
        except RegistryError as e:
            messages.error(request, str(e))
        else:
            return redirect("preschool-groups")
    groups = (Group.objects.filter(preschool=preschool)
              .annotate(pupils=Count("contracts", filter=Q(contracts__ends_on=None)
                                     | Q(contracts__ends_on__gte=clock.today())))
              .order_by("-active", "name"))
    teachers = {m.group_id: m for m in Membership.objects.filter(
        preschool=preschool, role=Role.PRE, group__isnull=False, user__is_active=True)
        .select_related("user")}
    return render(request, "web/preschool_groups.html", {
        "preschool": preschool, "form": form, "age_groups": AgeGroup.choices,
        "rows": [{"g": g, "teacher": teachers.get(g.pk)} for g in groups]})


@permits(Action.STAFF_MANAGE, post=Action.STAFF_MANAGE)
def preschool_staff(request: HttpRequest) -> HttpResponse:
    """The teachers' accounts: create one for a group, deactivate one."""
    actor, now, preschool = actor_of(request), clock.now(), _preschool(request)
    form = TeacherForm(request.POST if request.POST.get("do") == "create" else None)
    form.fields["group"].queryset = Group.objects.filter(  # type: ignore[attr-defined]
        preschool=preschool, active=True)
    if request.method == "POST":
        try:
            with transaction.atomic():
                if request.POST.get("do") == "create":
                    if not form.is_valid():
                        raise RegistryError(" ".join(str(e) for errs in form.errors.values()
                                                     for e in errs))
                    m = staff.create_teacher(actor=actor, now=now, **form.cleaned_data)
                    messages.success(request, _("The account %(login)s is created for the "
                                                "group %(group)s: hand the login and the first "
                                                "password over to the teacher.")
                                     % {"login": m.user.get_username(), "group": m.group})
                else:
                    membership = get_object_or_404(
                        Membership, preschool=preschool, role=Role.PRE, group__isnull=False,
                        pk=posted_id(request.POST.get("membership")) or 0)
                    if staff.deactivate_staff(membership=membership, actor=actor, now=now):
                        messages.success(request, _("The account is deactivated."))
        except RegistryError as e:
            messages.error(request, str(e))
        else:
            return redirect("preschool-staff")
    members = (Membership.objects.filter(preschool=preschool, role=Role.PRE)
               .select_related("user", "group").order_by("-user__is_active", "group__name"))
    return render(request, "web/preschool_staff.html", {
        "preschool": preschool, "form": form, "members": members})
