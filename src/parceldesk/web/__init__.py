"""The web layer: FastAPI application factory and routes. It never imports storage."""
