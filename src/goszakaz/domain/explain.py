"""The explanation a parent reads: category and why, queue number, the category's seats and cut-off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from goszakaz.domain.allocation import (
    ALLOCATED,
    EXCLUDED,
    MILITARY,
    NOT_RESIDENT,
    AllocationResult,
    Application,
)
from goszakaz.domain.categories import RuleSet, queue_age

LANGUAGES = ("ru", "kk", "en")

_STATUS_NAMES = {
    "large_family": {"ru": "многодетная семья", "kk": "көпбалалы отбасы", "en": "large family"},
    "single_parent": {"ru": "неполная семья", "kk": "толық емес отбасы",
                      "en": "single-parent family"},
    "other_susn": {"ru": "иная категория СУСН", "kk": "өзге ӘОТ санаты",
                   "en": "other socially vulnerable group"},
    "sibling_in_preschool": {"ru": "брат или сестра в детском саду",
                             "kk": "бауыры балабақшада", "en": "sibling in a preschool"},
}
_NONE = {"ru": "нет", "kk": "жоқ", "en": "none"}

_TEXT = {
    "ru": {
        "age": "Возраст для очереди на {ref}: {age} (полных лет; п. 4 Порядка).",
        "statuses": "Социальный статус: {statuses}.",
        "category": "Категория {n}: {title}. Это первая по порядку категория Таблицы 1, "
                    "условиям которой соответствует заявление.",
        "queue": "Номер в очереди категории: {qn}.",
        "seats": "Мест для категории: {seats}; места получили заявления с номерами 1–{cutoff}.",
        "no_seats": "Для категории мест в этом распределении нет.",
        "allocated": "Заявлению выделено место (порядок предложения мест: {seat}).",
        "waiting": "Место пока не выделено: заявление остаётся в очереди.",
        "military": "Дети военнослужащих размещаются в первую очередь, до распределения по "
                    "категориям (п. 2 Порядка).",
        "not_resident": "Заявление не участвует в распределении: ребёнок не проживает в городе "
                        "(учитывается фактическое проживание).",
        "no_category": "Заявление не подходит ни под одну категорию Таблицы 1 (возраст 3 года "
                       "без социального статуса). Обратитесь в управление образования.",
    },
    "kk": {
        "age": "{ref} күнгі кезек үшін жасы: {age} (толық жыл; Тәртіптің 4-тармағы).",
        "statuses": "Әлеуметтік мәртебесі: {statuses}.",
        "category": "{n}-санат: {title}. Бұл өтініш шарттарына сәйкес келетін 1-кестедегі "
                    "бірінші санат.",
        "queue": "Санат кезегіндегі нөмірі: {qn}.",
        "seats": "Санатқа бөлінген орындар: {seats}; орындар 1–{cutoff} нөмірлі өтініштерге "
                 "берілді.",
        "no_seats": "Бұл бөлуде санатқа орын жоқ.",
        "allocated": "Өтінішке орын бөлінді (орын ұсыну реті: {seat}).",
        "waiting": "Орын әзірге бөлінген жоқ: өтініш кезекте қалады.",
        "military": "Әскери қызметшілердің балалары санаттар бойынша бөлуге дейін бірінші "
                    "кезекте орналастырылады (Тәртіптің 2-тармағы).",
        "not_resident": "Өтініш бөлуге қатыспайды: бала қалада тұрмайды (нақты тұратын жері "
                        "ескеріледі).",
        "no_category": "Өтініш 1-кестенің ешбір санатына сәйкес келмейді (әлеуметтік "
                       "мәртебесіз 3 жас). Білім басқармасына хабарласыңыз.",
    },
    "en": {
        "age": "Queue age on {ref}: {age} (completed years; clause 4 of the procedure).",
        "statuses": "Social status: {statuses}.",
        "category": "Category {n}: {title}. It is the first category of Table 1 whose "
                    "conditions the application meets.",
        "queue": "Queue number within the category: {qn}.",
        "seats": "Places for the category: {seats}; places went to queue numbers 1-{cutoff}.",
        "no_seats": "The category has no places in this allocation.",
        "allocated": "The application has a place (order of offering: {seat}).",
        "waiting": "No place yet: the application stays in the queue.",
        "military": "Children of military servicemen are placed first, before the categories "
                    "(clause 2 of the procedure).",
        "not_resident": "The application takes no part: the child does not live in the city "
                        "(actual residence counts).",
        "no_category": "The application matches no category of Table 1 (age 3 without a "
                       "social status). Please contact the education department.",
    },
}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything a parent is told about one application's place in one allocation."""

    status: str
    reason: str
    age: int
    age_reference: dt.date
    statuses: tuple[str, ...]
    category: int | None
    queue_number: int | None
    category_seats: int | None
    cutoff_queue_number: int | None
    seat_order: int | None


def explain(result: AllocationResult, i: int, app: Application, rules: RuleSet) -> Explanation:
    """The explanation of the i-th application of `result` (T1.2, T1.3, T4)."""
    num = result.category[i]
    cat = next((c for c in result.categories if c.number == num), None)
    return Explanation(
        status=result.status(i),
        reason=result.reason[i],
        age=queue_age(app.birth_date, result.as_of, rules),
        age_reference=dt.date(result.as_of.year, rules.age_reference_month,
                              rules.age_reference_day),
        statuses=tuple(f for f in _STATUS_NAMES if getattr(app, f)),
        category=num,
        queue_number=result.queue_number[i],
        category_seats=cat.seats if cat else None,
        cutoff_queue_number=cat.cutoff_queue_number if cat else None,
        seat_order=result.seat_order[i],
    )


def explanation_text(e: Explanation, rules: RuleSet, lang: str = "ru") -> str:
    """The explanation as the sentences a parent reads, in ru, kk or en."""
    t = _TEXT[lang]
    lines = [t["age"].format(ref=e.age_reference.strftime("%d.%m.%Y"), age=e.age)]
    names = [_STATUS_NAMES[s][lang] for s in e.statuses] or [_NONE[lang]]
    lines.append(t["statuses"].format(statuses=", ".join(names)))
    if e.reason == NOT_RESIDENT:
        lines.append(t["not_resident"])
    elif e.status == EXCLUDED:
        lines.append(t["no_category"])
    elif e.reason == MILITARY:
        lines.append(t["military"])
    else:
        assert e.category is not None
        lines.append(t["category"].format(n=e.category,
                                          title=rules.category(e.category).title[lang]))
        if e.queue_number is not None:  # None: the queue has not been actualized yet
            lines.append(t["queue"].format(qn=e.queue_number))
        if e.category_seats:
            lines.append(t["seats"].format(seats=e.category_seats, cutoff=e.cutoff_queue_number))
        elif e.category_seats == 0:  # None: no allocation has been run yet
            lines.append(t["no_seats"])
    if e.status == ALLOCATED:
        lines.append(t["allocated"].format(seat=e.seat_order))
    elif e.status != EXCLUDED:
        lines.append(t["waiting"])
    return "\n".join(lines)
