"""Renderers: structures in, Markdown / JSON / HTML / plots out."""
