"""The dashboard's charts: one bar chart per indicator over the last months, in tabs (QtCharts).

Titles are wrapped to the chart's width (QtCharts cuts a long one with "..."), again whenever a
chart is resized; month labels are the month's number, with the span once under the axis.
"""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QEvent, QMargins, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QTabWidget

from teamdesk.i18n import tr


def wrap_html(text: str, metrics: QFontMetrics, width: int) -> str:
    """A chart title broken into lines no wider than ``width`` (QtCharts cuts a long title with "...")."""
    lines: list[str] = []
    for word in text.split():
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


class MonthCharts(QTabWidget):
    def __init__(self, keys: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.keys = keys
        self.views: dict[str, QChartView] = {}
        for key in keys:
            view = QChartView()
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(200)
            view.installEventFilter(self)  # a new width: the title wraps again
            self.views[key] = view
            self.addTab(view, "")

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt's name
        if event.type() == QEvent.Type.Resize and isinstance(obj, QChartView) and obj.chart() is not None:
            QTimer.singleShot(0, lambda view=obj: self.wrap_title(view))  # once the chart has its new size
        return super().eventFilter(obj, event)

    def retranslate(self) -> None:
        for i, key in enumerate(self.keys):
            self.setTabText(i, tr(f"dash.chart_tab.{key}"))

    def draw(self, series: list[dict]) -> None:
        for key in self.keys:
            self.draw_one(key, series)

    def wrap_title(self, view: QChartView) -> None:
        chart = view.chart()
        if chart is None:
            return
        title = wrap_html(chart.property("plain_title") or "", QFontMetrics(chart.titleFont()), max(80, view.width() - 40))
        if title != chart.title():
            chart.setTitle(title)

    def draw_one(self, key: str, series: list[dict]) -> None:
        bars = QBarSet(tr(f"report.field.{key}"))
        bars.setColor(QColor("#1f6fb2"))
        for m in series:
            bars.append(m[key] if key != "follow_up_open" else 0)
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        data = QBarSeries()
        data.append(bars)
        data.setLabelsVisible(True)
        data.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(data)
        axis_x = QBarCategoryAxis()
        # the month alone under each bar ("10"), the months' span once under the axis: six labels of
        # "10/26" do not fit a narrow chart (QtCharts cuts them to "10/…")
        axis_x.append([str(int(m["month"][5:])) for m in series])
        if series:
            first, last = (f"{int(m['month'][5:])}/{m['month'][:4]}" for m in (series[0], series[-1]))
            axis_x.setTitleText(tr("dash.chart_months", first=first, last=last))
            title_font = axis_x.labelsFont()
            title_font.setBold(False)
            axis_x.setTitleFont(title_font)
        axis_y = QValueAxis()
        axis_y.setRange(0, max([m[key] for m in series] + [4]) * 1.15)
        axis_y.applyNiceNumbers()
        axis_y.setLabelFormat("%d")
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        data.attachAxis(axis_x)
        data.attachAxis(axis_y)
        chart.legend().setVisible(False)
        chart.setProperty("plain_title", tr("dash.chart_title", what=tr(f"report.field.{key}")))
        old = self.views[key].chart()
        self.views[key].setChart(chart)
        self.wrap_title(self.views[key])
        if old is not None:
            old.deleteLater()
