-- The demo server's SQLite schema: the contract between ingest (writes events and groups)
-- and the Web API (reads them, mutates groups). Times are epoch seconds (REAL, UTC).
-- JSON columns hold compact JSON text.

CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    username TEXT NOT NULL,
    date_joined REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS organizations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    date_created REAL NOT NULL
);

-- Members: the API's member id is members.id; member.user.id is users.id.
CREATE TABLE IF NOT EXISTS members (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    role TEXT NOT NULL DEFAULT 'member',          -- owner|manager|admin|member
    date_created REAL NOT NULL,
    UNIQUE (org_id, user_id)
);

CREATE TABLE IF NOT EXISTS teams (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    date_created REAL NOT NULL,
    UNIQUE (org_id, slug)
);

CREATE TABLE IF NOT EXISTS team_members (
    team_id INTEGER NOT NULL REFERENCES teams(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    PRIMARY KEY (team_id, member_id)
);

CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    platform TEXT,
    date_created REAL NOT NULL,
    public_key TEXT NOT NULL UNIQUE,               -- the DSN's key (32 hex)
    secret_key TEXT NOT NULL,
    next_short_id INTEGER NOT NULL DEFAULT 1,      -- per-project counter behind SHORTID-<base32>
    first_event REAL,
    UNIQUE (org_id, slug)
);

CREATE TABLE IF NOT EXISTS project_teams (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    team_id INTEGER NOT NULL REFERENCES teams(id),
    PRIMARY KEY (project_id, team_id)
);

-- API bearer tokens. scopes: space-separated Sentry scopes (e.g. "org:read event:read").
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    org_id INTEGER REFERENCES organizations(id),
    scopes TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS environments (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE IF NOT EXISTS environment_projects (
    environment_id INTEGER NOT NULL REFERENCES environments(id),
    project_id INTEGER NOT NULL REFERENCES projects(id),
    is_hidden INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (environment_id, project_id)
);

CREATE TABLE IF NOT EXISTS releases (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    version TEXT NOT NULL,
    date_created REAL NOT NULL,
    date_released REAL,
    ref TEXT,
    url TEXT,
    status TEXT NOT NULL DEFAULT 'open',           -- open|archived
    UNIQUE (org_id, version)
);

CREATE TABLE IF NOT EXISTS release_projects (
    release_id INTEGER NOT NULL REFERENCES releases(id),
    project_id INTEGER NOT NULL REFERENCES projects(id),
    PRIMARY KEY (release_id, project_id)
);

-- Repositories: created on first use by a release's commits (as Sentry does without an
-- integration), or named by `refs`.
CREATE TABLE IF NOT EXISTS repositories (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    date_created REAL NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE IF NOT EXISTS commits (
    id INTEGER PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories(id),
    key TEXT NOT NULL,                             -- the SHA (or any id up to 64 chars)
    message TEXT,
    author_name TEXT,
    author_email TEXT,
    date_created REAL NOT NULL,                    -- the commit's timestamp, else when stored
    UNIQUE (repository_id, key)
);

-- A release's commits; position 0 is the newest (the release's lastCommit).
CREATE TABLE IF NOT EXISTS release_commits (
    release_id INTEGER NOT NULL REFERENCES releases(id),
    commit_id INTEGER NOT NULL REFERENCES commits(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (release_id, commit_id)
);
CREATE INDEX IF NOT EXISTS release_commits_commit ON release_commits(commit_id);

CREATE TABLE IF NOT EXISTS deploys (
    id INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases(id),
    environment TEXT NOT NULL,
    name TEXT,
    date_started REAL,
    date_finished REAL NOT NULL
);

-- Issues ("groups"). status: unresolved|resolved|ignored|pending_deletion|pending_merge;
-- substatus: new|ongoing|regressed|escalating|archived_until_escalating|
--            archived_until_condition_met|archived_forever|NULL.
-- status_details: the API's statusDetails object, plus the bookkeeping ignore conditions need
-- (e.g. {"ignoreCount": 10, "ignoreWindow": 60} and "_ignoredAt"/"_countAtIgnore"/"_usersAtIgnore").
-- Underscore keys are ingest's bookkeeping (epoch ignored at, times_seen and distinct users then),
-- added by ingest.ignore_bookkeeping() when ignoring; serializers drop keys starting with "_".
CREATE TABLE IF NOT EXISTS groups (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    short_id TEXT NOT NULL UNIQUE,                 -- e.g. CHECKOUT-API-1A
    type TEXT NOT NULL DEFAULT 'error',            -- error|default
    title TEXT NOT NULL,
    culprit TEXT,
    location TEXT,
    message TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT 'error',
    logger TEXT,
    platform TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',           -- JSON
    status TEXT NOT NULL DEFAULT 'unresolved',
    substatus TEXT DEFAULT 'new',
    status_details TEXT NOT NULL DEFAULT '{}',     -- JSON
    priority TEXT DEFAULT 'medium',                -- low|medium|high
    priority_locked_at REAL,
    is_public INTEGER NOT NULL DEFAULT 0,
    share_id TEXT,
    is_unhandled INTEGER NOT NULL DEFAULT 0,
    assigned_user_id INTEGER REFERENCES users(id),
    assigned_team_id INTEGER REFERENCES teams(id),
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 0,
    first_release TEXT,
    last_release TEXT,
    resolved_at REAL,
    merged_into INTEGER REFERENCES groups(id)      -- set on merged children (hidden from lists)
);
CREATE INDEX IF NOT EXISTS groups_project_last_seen ON groups(project_id, last_seen);
CREATE INDEX IF NOT EXISTS groups_status ON groups(status);
-- Issue search on 100k issues (D2a): sorted first pages without a temp sort, covering counts.
CREATE INDEX IF NOT EXISTS groups_status_last_seen ON groups(status, last_seen);
CREATE INDEX IF NOT EXISTS groups_last_seen ON groups(last_seen);
CREATE INDEX IF NOT EXISTS groups_status_project ON groups(status, project_id, merged_into);

-- Grouping hashes: an event whose hash is known joins that group.
CREATE TABLE IF NOT EXISTS group_hashes (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    hash TEXT NOT NULL,                            -- md5 hex
    group_id INTEGER NOT NULL REFERENCES groups(id),
    PRIMARY KEY (project_id, hash)
);
CREATE INDEX IF NOT EXISTS group_hashes_group ON group_hashes(group_id);

-- Per-user issue state (bookmarks, seen, subscriptions).
CREATE TABLE IF NOT EXISTS group_bookmarks (
    group_id INTEGER NOT NULL REFERENCES groups(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    date_added REAL NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
-- Explicit per-user subscriptions (isSubscribed); reason: unknown|comment|assigned|bookmark|mentioned.
-- is_active 0 = the user unsubscribed. No row = not subscribed.
CREATE TABLE IF NOT EXISTS group_subscriptions (
    group_id INTEGER NOT NULL REFERENCES groups(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    is_active INTEGER NOT NULL DEFAULT 1,
    reason TEXT NOT NULL DEFAULT 'unknown',
    date_added REAL NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE TABLE IF NOT EXISTS group_seen (
    group_id INTEGER NOT NULL REFERENCES groups(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    last_seen REAL NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

-- Events. data: the normalized event (ingest shape after normalization, see normalize.py), from
-- which the API event shape is rendered. Columns duplicate what search and stats need.
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,                        -- 32 hex
    project_id INTEGER NOT NULL REFERENCES projects(id),
    group_id INTEGER REFERENCES groups(id),
    timestamp REAL NOT NULL,
    received REAL NOT NULL,
    type TEXT NOT NULL,                            -- error|default|transaction
    level TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    culprit TEXT,
    location TEXT,
    environment TEXT,
    release TEXT,
    user_key TEXT,                                 -- the "user" tag value (id:42 / email:.. / ip:..)
    hashes TEXT NOT NULL DEFAULT '[]',             -- JSON list of md5 hex
    size INTEGER NOT NULL DEFAULT 0,               -- raw payload bytes
    data TEXT NOT NULL,                            -- JSON
    UNIQUE (project_id, event_id)
);
CREATE INDEX IF NOT EXISTS events_group_time ON events(group_id, timestamp);
CREATE INDEX IF NOT EXISTS events_project_time ON events(project_id, timestamp);
-- environment filters of the issue list (D2a)
CREATE INDEX IF NOT EXISTS events_group_env ON events(group_id, environment);
CREATE INDEX IF NOT EXISTS events_release ON events(release);
-- Event data SQLite's JSON functions cannot read (NaN/Infinity, cut-off text, nesting beyond
-- SQLite's limit) or that carries escaped surrogates (the demo's own writer never escapes them)
-- would make every json_extract/json_each over it fail, and with it whole searches. Such text is
-- kept whole but wrapped as {"_invalid_json": "<the text>"}: searches skip it, and the API's
-- readers (store.event_data) parse the inner text leniently.
CREATE TRIGGER IF NOT EXISTS events_wrap_invalid_data_insert AFTER INSERT ON events
WHEN NOT json_valid(NEW.data) OR NEW.data GLOB '*\u[dD][89a-fA-F]*'
BEGIN
    UPDATE events SET data = json_object('_invalid_json', NEW.data) WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS events_wrap_invalid_data_update AFTER UPDATE OF data ON events
WHEN NOT json_valid(NEW.data) OR NEW.data GLOB '*\u[dD][89a-fA-F]*'
BEGIN
    UPDATE events SET data = json_object('_invalid_json', NEW.data) WHERE id = NEW.id;
END;

-- Every tag of every event (derived tags included), for search, tag endpoints and Discover.
CREATE TABLE IF NOT EXISTS event_tags (
    event_row INTEGER NOT NULL REFERENCES events(id),
    group_id INTEGER,
    key TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS event_tags_group_key ON event_tags(group_id, key, value);
CREATE INDEX IF NOT EXISTS event_tags_key_value ON event_tags(key, value);
CREATE INDEX IF NOT EXISTS event_tags_event ON event_tags(event_row);

-- Issue activity (first_seen, set_resolved, note, assigned, ...). data: JSON.
CREATE TABLE IF NOT EXISTS activities (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups(id),
    project_id INTEGER NOT NULL REFERENCES projects(id),
    type TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    data TEXT NOT NULL DEFAULT '{}',
    date_created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS activities_group ON activities(group_id, date_created);

-- Legacy issue alert rules (/projects/{org}/{project}/rules/). data: JSON of conditions,
-- filters, actions, actionMatch, filterMatch, frequency, owner.
CREATE TABLE IF NOT EXISTS rules (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    environment TEXT,
    status TEXT NOT NULL DEFAULT 'active',         -- active|disabled
    data TEXT NOT NULL DEFAULT '{}',
    date_created REAL NOT NULL,
    last_triggered REAL,
    snoozed_by INTEGER REFERENCES users(id),
    snooze_until REAL,
    created_by INTEGER REFERENCES users(id)
);

CREATE TABLE IF NOT EXISTS rule_fires (
    rule_id INTEGER NOT NULL REFERENCES rules(id),
    group_id INTEGER NOT NULL REFERENCES groups(id),
    event_id TEXT,
    date_added REAL NOT NULL
);

-- Files a commit touched (`patch_set` of `set-commits --local`): the committers route matches them
-- against an event's in-app frames to name suspect commits.
CREATE TABLE IF NOT EXISTS commit_files (
    commit_id INTEGER NOT NULL REFERENCES commits(id),
    filename TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'M',                -- A|M|D
    PRIMARY KEY (commit_id, filename)
);

-- A project's ownership rules (/projects/{org}/{project}/ownership/): `raw` is Sentry's rule text,
-- one `path:<glob> owner…` / `url:<glob> owner…` per line; owners are `#team` or an email.
CREATE TABLE IF NOT EXISTS project_ownership (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id),
    raw TEXT NOT NULL,
    fallthrough INTEGER NOT NULL DEFAULT 1,
    auto_assignment TEXT NOT NULL DEFAULT 'Turn off Auto-Assignment',
    codeowners_auto_sync INTEGER NOT NULL DEFAULT 1,
    date_created REAL NOT NULL,
    last_updated REAL NOT NULL
);

-- Saved searches (/organizations/{org}/searches/): `type` is Sentry's SearchType (0 = issues);
-- visibility is organization|owner|owner_pinned. Sentry's global defaults have no org and
-- is_global = 1; Sentry ships them by migration, so every demo database has them.
CREATE TABLE IF NOT EXISTS saved_searches (
    id INTEGER PRIMARY KEY,
    org_id INTEGER REFERENCES organizations(id),
    owner_id INTEGER REFERENCES users(id),
    type INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    sort TEXT NOT NULL DEFAULT 'date',
    visibility TEXT NOT NULL DEFAULT 'owner',
    is_global INTEGER NOT NULL DEFAULT 0,
    date_added REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS saved_searches_org ON saved_searches(org_id, type);
INSERT OR IGNORE INTO saved_searches
    (id, org_id, owner_id, type, name, query, sort, visibility, is_global, date_added)
VALUES
    (1, NULL, NULL, 0, 'Unresolved Issues', 'is:unresolved', 'date', 'organization', 1, 1546300800),
    (2, NULL, NULL, 0, 'Needs Triage', 'is:unresolved is:for_review assigned_or_suggested:[me, none]',
        'date', 'organization', 1, 1546300800),
    (3, NULL, NULL, 0, 'Assigned to Me', 'is:unresolved assigned_or_suggested:me', 'date',
        'organization', 1, 1546300800),
    (4, NULL, NULL, 0, 'My Bookmarks', 'is:unresolved bookmarks:me', 'date', 'organization', 1,
        1546300800),
    (5, NULL, NULL, 0, 'New Today', 'is:unresolved age:-24h', 'date', 'organization', 1,
        1546300800),
    (6, NULL, NULL, 0, 'Errors Only', 'is:unresolved error.unhandled:true', 'date',
        'organization', 1, 1546300800);
