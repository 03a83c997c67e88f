"""QR guide leaflets (reportlab): A4 posters, A5 handouts, cut-out cards, personalised handouts.

One module per idea: ``fonts`` (the embedded Vietnamese font), ``qr`` (vector codes built once,
placed as forms), ``text_fit`` (wrap, shrink, cut), ``content`` (a guide resolved for print, the
imprint), ``furniture`` (band, footer, link beside the code), one module per layout (``poster``,
``handout``, ``cards``, ``personalised``), ``recipients`` (who gets a named handout) and
``document`` (``make_leaflets``: the one call the CLI and the app make).
"""
