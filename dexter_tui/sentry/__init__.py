"""The Sentry Web API client: HTTP, pagination, rate limits, typed errors, pydantic models."""
