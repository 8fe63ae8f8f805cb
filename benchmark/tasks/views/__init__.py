"""The tasks' HTML views of one run (:meth:`benchmark.tasks.base.Task.html_view`), one module per task.

Each view renders the scorer's own output (the task's ``details`` and ``errors``) with the
building blocks of :mod:`benchmark.render.widgets`; none of them matches records again.
"""
