"""The app `bench/http.py` serves: the broker plus a bare route on the same server."""

from fastapi import FastAPI

from broker.app import create_app


def create() -> FastAPI:
    app = create_app()

    @app.post("/bench/bare", include_in_schema=False)
    def bare() -> dict[str, str]:
        """Same server, same middleware; no token, no database, no decision, no audit."""
        return {"effect": "permit"}

    return app
