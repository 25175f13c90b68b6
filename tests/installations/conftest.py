from __future__ import annotations

import pytest

from tests.support.webhooks import load_fixture


@pytest.fixture
def fixture():
    return load_fixture


def sandbox_installation(sandbox, login: str):
    return next(inst for inst in sandbox.state.installations.values()
                if inst.account.login == login)
