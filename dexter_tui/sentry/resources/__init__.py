"""The endpoint groups of `SentryClient`, one module per kind of resource.

Each part is a `Transport` subclass adding the methods of one resource (issues, events, tags,
comments, bulk changes, releases, alert rules, Discover, orgs); `SentryClient` combines them.
"""
