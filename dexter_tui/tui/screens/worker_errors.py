"""Route a screen's worker failures to the app's single error handler.

Textual posts `Worker.StateChanged` to the node that started the worker and does not bubble it,
so without this a screen's failed request would only be logged: no toast, no modal.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from dexter_tui.tui.messages import WorkFailed


class ReportsWorkerErrors:
    """Mix into a `Screen`: failed workers go to `DexterApp.report_error` (as `WorkFailed`)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.post_message(WorkFailed(event.worker.error))  # type: ignore[attr-defined]
