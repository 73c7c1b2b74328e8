"""A resident's trends: weight, NEWS2 and daily fluids over 14 days, 12 weeks or 12 months,
loaded off the GUI thread, with a helpful sentence when there is nothing to chart yet."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.services.trends import SPAN_LABELS, Span, Trends
from desktop.ui.context import UiContext
from desktop.ui.theme import set_role
from desktop.ui.widgets.choices import ChoiceButtons
from desktop.ui.widgets.trend_chart import BARS, LINE, TrendChart

NOTHING_YET = (
    "Nothing to chart yet for this period. Weights and NEWS2 come from Observations; "
    "fluids from the drinks recorded in Food and fluid."
)


class TrendsView(QWidget):
    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.resident_id = ""
        self.span = Span.DAYS
        self.trends: Trends | None = None
        labels = tuple(f"Last {SPAN_LABELS[s]}" for s in Span)
        self.span_choice = ChoiceButtons(labels, columns=3)
        self.span_choice.setAccessibleName("Period")
        self.span_choice.select(labels[0])
        self.span_choice.changed.connect(self._span_chosen)
        self._labels = dict(zip(labels, Span, strict=True))
        self.empty_label = QLabel(NOTHING_YET)
        self.empty_label.setWordWrap(True)
        set_role(self.empty_label, "muted")
        self.empty_label.setVisible(False)
        self.weight_chart = TrendChart(
            ui.theme, LINE, "Weight", "No weight recorded in this period."
        )
        self.news2_chart = TrendChart(
            ui.theme,
            LINE,
            "NEWS2 (highest of the day, week or month)",
            "No complete set of observations (no NEWS2 score) in this period.",
        )
        self.fluid_chart = TrendChart(
            ui.theme, BARS, "Fluids a day", "No drinks recorded in this period."
        )
        top = QHBoxLayout()
        top.addWidget(self.span_choice, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.empty_label)
        for chart in self.charts:
            layout.addWidget(chart, 1)

    @property
    def charts(self) -> tuple[TrendChart, TrendChart, TrendChart]:
        return self.news2_chart, self.weight_chart, self.fluid_chart

    def _span_chosen(self) -> None:
        chosen = self.span_choice.selected()
        if not chosen:  # tapping the chosen period again keeps it
            self.span_choice.select(next(k for k, v in self._labels.items() if v is self.span))
            return
        span = self._labels[chosen[0]]
        if span is not self.span:
            self.span = span
            self.load()

    def open(self, resident_id: str) -> None:
        if resident_id != self.resident_id:
            self.trends = None
            for chart in self.charts:
                chart.set_series(None)
        self.resident_id = resident_id
        self.load()

    def load(self) -> None:
        if not self.resident_id:
            return
        resident_id, span = self.resident_id, self.span
        observations = self._ui.services.observations
        self._ui.runner.run(
            lambda: observations.trends(resident_id, span),
            lambda trends: self._show(resident_id, trends),
        )

    def _show(self, resident_id: str, trends: Trends) -> None:
        if resident_id != self.resident_id or trends.span is not self.span:
            return
        self.trends = trends
        self.weight_chart.set_series(trends.weight)
        self.news2_chart.set_series(trends.news2)
        self.fluid_chart.set_series(trends.fluids)
        self.empty_label.setVisible(all(c.empty for c in self.charts))
