"""P1-P5: the five milestones of the plan-schedule (Appendix 2 of Order No. 53 of 29.02.2024),
a frozen copy; the operator updates their status (reports.services.update_milestone)."""

import datetime as dt

from django.db import migrations

D = dt.date
EXECUTORS = {
    "P1": 'ДДО, ДЦиАГУ, АО "Финансовый центр"',
    "P2": 'ДДО, ДЦиАГУ, АО "Финансовый центр", банки второго уровня',
    "P3": 'АО "Финансовый центр", управление образования',
    "P4": 'ДДО, ДЦиАГУ, АО "Финансовый центр"',
    "P5": 'АО "Финансовый центр"',
}
# code, due, (title ru, kk, en), (form of completion ru, kk, en), status, done on, note
MILESTONES = [
    ("P1", D(2024, 2, 24),
     ("Разработка и утверждение приказа Министра просвещения Республики Казахстан «О некоторых "
      "вопросах пилотного проекта по размещению государственного образовательного заказа на "
      "дошкольное воспитание и обучение с учетом персонифицированного финансирования по "
      "получателям образовательных услуг»",
      "Қазақстан Республикасы Оқу-ағарту министрінің пилоттық жоба туралы бұйрығын әзірлеу және "
      "бекіту",
      "Drafting and approval of the Minister of Education's order on the pilot project of "
      "personalized financing of preschool places"),
     ("Приказ Министра просвещения Республики Казахстан", "Оқу-ағарту министрінің бұйрығы",
      "The Minister's order"),
     "done", D(2024, 2, 29), "Приказ № 53 от 29.02.2024"),
    ("P2", D(2024, 2, 29),
     ("Проведение разъяснительной работы в городах Шымкент, Туркестан, Тараз",
      "Шымкент, Түркістан, Тараз қалаларында түсіндіру жұмыстарын жүргізу",
      "Briefings in Shymkent, Turkestan and Taraz"),
     ("Выездные мероприятия", "Көшпелі іс-шаралар", "Site visits"),
     "planned", None, ""),
    ("P3", D(2024, 2, 29),
     ("Разработка и заключение договора оказания услуг между управлением образования и "
      "АО «Финансовый центр» по перечислению средств государственного образовательного заказа",
      "Білім басқармасы мен «Қаржы орталығы» АҚ арасында мемлекеттік білім беру тапсырысының "
      "қаражатын аудару бойынша қызмет көрсету шартын әзірлеу және жасасу",
      "The service contract between the education department and JSC \"Financial Center\" "
      "for transferring the Госзаказ funds"),
     ("Договор", "Шарт", "Contract"),
     "planned", None, ""),
    ("P4", D(2024, 3, 15),
     ("Разработка и утверждение формы договора присоединения для участников Пилотного проекта",
      "Пилоттық жобаға қатысушылар үшін қосылу шартының нысанын әзірлеу және бекіту",
      "The form of the accession agreement for the pilot's participants"),
     ("Договор присоединения", "Қосылу шарты", "Accession agreement"),
     "planned", None, ""),
    ("P5", D(2025, 1, 5),
     ("Отчет о результатах проведенного Пилотного проекта",
      "Өткізілген пилоттық жобаның нәтижелері туралы есеп",
      "Report on the results of the pilot project"),
     ("Аналитическая справка о результатах проведенного Пилотного проекта",
      "Пилоттық жобаның нәтижелері туралы талдамалық анықтама",
      "Analytical note on the pilot's results"),
     "planned", None, ""),
]


def seed(apps, schema_editor):
    Milestone = apps.get_model("reports", "Milestone")
    for code, due, titles, forms, status, done_on, note in MILESTONES:
        Milestone.objects.get_or_create(code=code, defaults={
            "title_ru": titles[0], "title_kk": titles[1], "title_en": titles[2],
            "form_ru": forms[0], "form_kk": forms[1], "form_en": forms[2],
            "executor": EXECUTORS[code], "due_on": due, "status": status, "done_on": done_on,
            "note": note})


class Migration(migrations.Migration):

    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
