"""PDF pages as images: the leaflets screen's preview and its printing.

PySide6 wheels ship no QtPdf, so pypdfium2 renders the real PDF's pages; printing paints those
images on a QPrinter page by page, at the printer's resolution (at most 300 dpi). Both run on the
runner's worker thread: QImage and painting on a QPrinter are allowed off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter

PRINT_DPI = 300


def render_pages(pdf: bytes, *, dpi: int, first: int = 0, count: int | None = None) -> list[QImage]:
    """PDF pages as images (any thread: QImage, unlike QPixmap, is not tied to the GUI thread)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        last = len(doc) if count is None else min(len(doc), first + count)
        return [page_image(doc[i], dpi=dpi) for i in range(first, last)]
    finally:
        doc.close()


def page_image(page, *, dpi: int) -> QImage:
    bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    image = QImage(bitmap.buffer, width, height, stride, QImage.Format.Format_RGB888)
    return image.copy()  # own the pixels: the bitmap's buffer is freed with it


def print_pdf(pdf: bytes, printer, *, progress=None, cancelled=None) -> int:
    """Paint each page, rendered at the printer's resolution (at most 300 dpi), onto ``printer``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    painter = QPainter()
    try:
        if not painter.begin(printer):
            raise OSError("printer")
        dpi = min(PRINT_DPI, max(150, printer.resolution()))
        total = len(doc)
        for i in range(total):
            if cancelled and cancelled():
                break
            if i:
                printer.newPage()
            image = page_image(doc[i], dpi=dpi)
            target = painter.viewport()
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.setViewport(target.x(), target.y(), scaled.width(), scaled.height())
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
            painter.setViewport(target)
            if progress:
                progress(i + 1, total)
        return total
    finally:
        painter.end()
        doc.close()


def page_size_of(req: dict) -> tuple[float, float]:
    if req.get("two_up"):
        return (842.0, 595.0)
    return {"poster-a4": (595.0, 842.0), "cards-a4": (595.0, 842.0), "handout-a5": (420.0, 595.0)}[req["layout"]]


def configure_printer(printer, page_size: tuple[float, float]) -> None:
    """Paper and orientation that match the PDF, no margins added (the leaflets have their own)."""
    w, h = page_size
    portrait = h >= w
    size = QPageSize(QPageSize.PageSizeId.A5 if min(w, h) < 500 else QPageSize.PageSizeId.A4)
    orientation = QPageLayout.Orientation.Portrait if portrait else QPageLayout.Orientation.Landscape
    printer.setPageLayout(QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0)))
    printer.setFullPage(True)
