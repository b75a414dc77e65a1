"""PDFs to hand to people and to archive: PDF/A-3a, which is tagged (a screen reader follows
headings, paragraphs, lists and tables; the document's language and title are set) and
archivable (fonts embedded, XMP metadata that identifies it as PDF/A)."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from broker.web.i18n import current_language
from broker.web.templating import environment, language_of


def to_pdf(html: str) -> bytes:
    """A standalone HTML document (with `<html lang>` and a `<title>`) as PDF/A-3a."""
    from weasyprint import HTML  # imported here: it needs pango at run time

    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/a-3a")
    return pdf


def pdf_response(request: Request, template: str, context: dict[str, Any], *,
                 filename: str) -> Response:
    """A standalone template, in the reader's language, as a PDF shown in the browser."""
    language = language_of(request)
    token = current_language.set(language)
    try:
        html = environment.get_template(template).render(
            lang=language, zone=request.app.state.settings.zone, **context)
    finally:
        current_language.reset(token)
    return Response(to_pdf(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
