"""Admin for reference data only: cities and their pilot periods."""

from django.contrib import admin

from goszakaz.registry.models import City


@admin.register(City)
class CityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name_ru", "pilot_start", "pilot_end", "allocation_rules")
