"""Renderers: structures in, Markdown / JSON / HTML / plots out.

They score nothing and name no task: task-specific output comes from the task (its label rows on
the leaderboard, its :meth:`~benchmark.tasks.base.Task.html_view` of a run, built from
:mod:`benchmark.render.widgets`); :mod:`benchmark.render.rows` reads a row's badge and label rows.
"""
