"""Helpers of the issue-17 tests."""
from tui_app.domain.models import Act


def drop_demo_acts(store) -> None:
    """The demo day has an act for every «не завершил»/«удалён» mark (issue 17); tests written
    for a day without acts remove them first (the marks stay)."""
    for a in store.all(Act):
        store.delete(Act, a.id)
