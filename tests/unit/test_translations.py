"""Every message has its Russian and Kazakh text: no empty or fuzzy entry in the catalogs, and
the compiled catalogs say the same as their sources."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "goszakaz" / "locale"


def entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry of a .po file (no plurals are used)."""
    out = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = block.splitlines()
        ids = [i for i, line in enumerate(lines) if line.startswith(("msgid ", "msgstr "))]
        if len(ids) != 2:
            continue
        msgid = "".join(ast.literal_eval(line[line.index('"'):]) for line in lines[ids[0]:ids[1]])
        msgstr = "".join(ast.literal_eval(line[line.index('"'):]) for line in lines[ids[1]:]
                         if line.lstrip().startswith(("msgstr", '"')))
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        if msgid:
            out.append((msgid, msgstr, fuzzy))
    return out


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_message_is_translated(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    found = entries(po)
    assert len(found) > 100
    missing = [msgid for msgid, msgstr, fuzzy in found if not msgstr or fuzzy]
    assert missing == [], f"{language}: translate these (then compilemessages): {missing}"
    compiled = gettext.GNUTranslations((po.with_suffix(".mo")).open("rb"))
    stale = [msgid for msgid, msgstr, _ in found if compiled.gettext(msgid) != msgstr]
    assert stale == [], f"{language}: run compilemessages: {stale[:5]}"


def test_code_marks_messages_the_way_makemessages_finds_them() -> None:
    # makemessages extracts _(), gettext(), gettext_lazy() ...: an alias of its own is never
    # extracted, and its texts stay English on every page
    src = LOCALE.parent
    aliased = [f"{path.relative_to(src)}: {line.strip()}"
               for path in src.rglob("*.py") for line in path.read_text().splitlines()
               if "from django.utils.translation import" in line and " as " in line
               and not line.rstrip().endswith(" as _")]
    assert aliased == []


def test_status_labels_read_in_the_page_language() -> None:
    from django.utils import translation

    from goszakaz.attendance.models import SheetState
    from goszakaz.enrollment.models import VoucherStatus
    from goszakaz.verification.models import RiskCaseKind

    labels = (VoucherStatus.ANNULLED.label, SheetState.UPHELD.label,
              RiskCaseKind.SHEET_DISPUTE.label)
    expected = {"ru": ["Аннулирован", "организация не согласна",
                       "Спор по табелю: организация не согласна (A7.16)"],
                "kk": ["күші жойылды", "ұйым келіспеді",
                       "табель бойынша дау: ұйым келіспейді (A7.16)"],
                "en": ["annulled", "upheld by the preschool",
                       "sheet dispute: the preschool disagrees (A7.16)"]}
    for language, texts in expected.items():
        with translation.override(language):
            assert [str(label) for label in labels] == texts
