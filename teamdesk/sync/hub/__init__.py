"""The province hub: an ASGI service that receives commune bundles and sums them up.

``store`` (its books and ingest), ``app`` (Starlette endpoints), ``summary`` (indicators, shared
with coordinators), ``page`` (the HTML province view), ``serve`` (uvicorn). Never imports Qt.
"""
