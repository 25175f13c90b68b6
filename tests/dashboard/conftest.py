from tests.support.world import fresh_recheck_cache, world  # noqa: F401 - fixtures
