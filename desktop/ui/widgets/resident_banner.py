"""The banner at the top of a resident's record: who they are and, always in view, whether a
DNACPR decision is in place and what they are allergic to."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.services.residents import ResidentProfile
from desktop.ui.formatting import date_of_birth, millilitres, nhs
from desktop.ui.theme import set_role
from desktop.ui.widgets.avatar import avatar_pixmap, initials_of
from desktop.ui.widgets.chips import AlertChips

NO_ALLERGY_WORDS = ("none known", "nkda", "none", "no known allergies")


def safety_alerts(fields: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(text, kind) chips: DNACPR and allergies are always stated, even when absent."""
    chips: list[tuple[str, str]] = []
    chips.append(
        ("DNACPR in place", "danger") if fields.get("dnacpr") else ("No DNACPR recorded", "info")
    )
    allergies = str(fields.get("allergies") or "").strip()
    if not allergies:
        chips.append(("Allergies not recorded", "warning"))
    elif allergies.lower() in NO_ALLERGY_WORDS:
        chips.append(("No known allergies", "info"))
    else:
        chips.append((f"Allergy: {allergies}", "danger"))
    if fields.get("falls_risk"):
        chips.append(("Falls risk", "warning"))
    diet = str(fields.get("diet") or "").strip()
    if diet and diet.lower() != "normal":
        chips.append((f"Diet: {diet}", "info"))
    return tuple(chips)


class ResidentBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        self.avatar = QLabel()
        self.name_label = QLabel()
        set_role(self.name_label, "title")
        self.name_label.setAccessibleName("Resident")
        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.chips = AlertChips()
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.name_label)
        text.addWidget(self.details_label)
        text.addWidget(self.chips)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.avatar)
        layout.addLayout(text, 1)
        self.chip_texts: tuple[str, ...] = ()

    def show_profile(self, profile: ResidentProfile) -> None:
        f = profile.fields
        name = profile.display_name
        full_name = f"{f.get('first_name', '')} {f.get('last_name', '')}"
        self.avatar.setPixmap(avatar_pixmap(initials_of(full_name), profile.resident_id, 64, 2.0))
        self.name_label.setText(name)
        details = [f"Room {f.get('room') or '—'}", profile.unit_name]
        if f.get("status") in ("prospective", "discharged"):
            details.insert(
                0, "Prospective, not admitted" if f["status"] == "prospective" else "Discharged"
            )
        if f.get("date_of_birth"):
            details.append(f"Born {date_of_birth(str(f['date_of_birth']))}")
        if f.get("nhs_number"):
            details.append(f"NHS {nhs(str(f['nhs_number']))}")
        self.details_label.setText("  ·  ".join(d for d in details if d))
        chips = safety_alerts(f)
        self.chip_texts = tuple(text for text, _kind in chips)
        self.chips.set_chips(chips)


class ProfileSummary(QFrame):
    """The short profile beside the quick-record buttons."""

    FIELDS = (
        ("Full name", "full_name"),
        ("GP", "gp"),
        ("Next of kin", "next_of_kin"),
        ("Communication", "communication"),
        ("Religion", "religion"),
        ("Fluid target", "fluid_target_ml"),
        ("About me", "about_me"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self._layout = QFormLayout(self)
        self._layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._values: dict[str, QLabel] = {}
        for label, key in self.FIELDS:
            value = QLabel()
            value.setWordWrap(True)
            self._values[key] = value
            caption = QLabel(label)
            set_role(caption, "muted")
            self._layout.addRow(caption, value)

    def show_profile(self, profile: ResidentProfile) -> None:
        f = dict(profile.fields)
        f["full_name"] = f"{f.get('first_name', '')} {f.get('last_name', '')}".strip()
        target = f.get("fluid_target_ml")
        f["fluid_target_ml"] = f"{millilitres(target)} a day" if isinstance(target, int) else ""
        for key, label in self._values.items():
            label.setText(str(f.get(key) or "—"))
