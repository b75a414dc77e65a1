"""PDFs to hand to people and to archive: PDF/A-3a, which is tagged (a screen reader follows
headings, paragraphs and tables; the document's language and title are set) and archivable
(fonts embedded, XMP metadata that identifies it as PDF/A)."""


def to_pdf(html: str) -> bytes:
    """A standalone HTML document (with `<html lang>` and a `<title>`) as PDF/A-3a."""
    from weasyprint import HTML  # imported here: it needs pango at run time

    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/a-3a")
    return pdf
