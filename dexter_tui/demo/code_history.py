"""The seed's code history: release commits with authors and files, and ownership rules.

Why: suspect commits, issue owners and "assign to suggested" need what a real organisation has —
`sentry-cli releases set-commits` filling each release with commits (author, files touched) and
ownership rules per project. Stored through the same `set_commits` the release routes use, so the
releases answer with these commits too. Deterministic: keys and times derive from the release.
"""

from __future__ import annotations

import hashlib

from dexter_tui.demo.api.commits import set_commits
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

HOUR = 3600.0
REPOSITORY = "acme/{project}"
#: project -> the in-app module its events' frames are in (the scenario code)
SOURCES = {
    "checkout-api": "dexter_tui/demo/scenario/checkout.py",
    "billing-worker": "dexter_tui/demo/scenario/billing.py",
    "notifications": "dexter_tui/demo/scenario/notifications.py",
}
#: project -> (author email, name), in turn per release; the last one is not an org member
AUTHORS = {
    "checkout-api": [("ben@acme.test", "Ben Backend"), ("chloe@acme.test", "Chloe Payments")],
    "billing-worker": [("chloe@acme.test", "Chloe Payments"), ("ben@acme.test", "Ben Backend")],
    "notifications": [("dev@acme.test", "Dev Notifications"), ("ana@acme.test", "Ana Oncall")],
}
OUTSIDER = ("sam@contractor.test", "Sam Contractor")
#: ownership rules as Sentry's rule text; the last matching rule wins
OWNERSHIP = {
    "checkout-api": "path:dexter_tui/demo/scenario/* #backend\nurl:*/api/checkout* #payments\n",
    "billing-worker": "path:*billing.py #payments chloe@acme.test\n",
    "notifications": "path:*notifications.py #platform dev@acme.test\n",
}
MESSAGES = [
    "{project}: handle the edge case seen in production",
    "{project}: refactor request parsing",
    "docs: release notes for {version}",
]


def _sha(*parts: str) -> str:
    return hashlib.sha1(":".join(parts).encode(), usedforsecurity=False).hexdigest()


def seed_code_history(store: Store, world: World, now: float) -> int:
    """Commits for every seeded release and ownership rules per project; returns commits made."""
    made = 0
    releases = store.query(
        "SELECT r.id, r.version, r.date_created, p.slug FROM releases r"
        " JOIN release_projects rp ON rp.release_id = r.id JOIN projects p ON p.id = rp.project_id"
        " WHERE r.org_id = ? ORDER BY r.date_created, r.id",
        (world.org_id,),
    )
    turn: dict[str, int] = {}
    with store.transaction() as conn:
        for release in releases:
            project = release["slug"]
            if project not in SOURCES:
                continue
            n = turn[project] = turn.get(project, -1) + 1
            authors = AUTHORS[project]
            first, second = authors[n % len(authors)], authors[(n + 1) % len(authors)]
            plan = [
                (first, MESSAGES[0], [SOURCES[project]]),
                (OUTSIDER if n % 2 else second, MESSAGES[1], [SOURCES[project], "pyproject.toml"]),
                (second, MESSAGES[2], ["CHANGELOG.md"]),
            ]
            commits = []
            files: dict[str, list[str]] = {}
            for k, ((email, name), message, touched) in enumerate(plan):
                key = _sha(release["version"], str(k))
                files[key] = touched
                commits.append(
                    {
                        "id": key,
                        "repository": REPOSITORY.format(project=project),
                        "message": message.format(project=project, version=release["version"]),
                        "author_name": name,
                        "author_email": email,
                        "timestamp": release["date_created"] - (k + 1) * HOUR,
                    }
                )
            set_commits(conn, world.org_id, release["id"], commits, release["date_created"])
            for key, touched in files.items():
                row = conn.execute("SELECT id FROM commits WHERE key = ?", (key,)).fetchone()
                conn.executemany(
                    "INSERT OR IGNORE INTO commit_files (commit_id, filename) VALUES (?, ?)",
                    [(row["id"], f) for f in touched],
                )
            made += len(commits)
        for project, raw in OWNERSHIP.items():
            keys = world.projects.get(project)
            if keys is None:
                continue
            conn.execute(
                "INSERT OR REPLACE INTO project_ownership (project_id, raw, date_created,"
                " last_updated) VALUES (?, ?, ?, ?)",
                (keys.project_id, raw, now - 20 * 24 * HOUR, now - 20 * 24 * HOUR),
            )
    return made
