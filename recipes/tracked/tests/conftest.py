"""What the tracked recipe's tests share: a count of DRF dispatches and Redis round trips."""

from dataclasses import dataclass, field

import pytest
from redis import Redis
from redis.client import Pipeline
from rest_framework.views import APIView


@dataclass
class Counted:
    """DRF dispatches, and Redis round trips by what they ran (a failure names the extra
    one)."""

    dispatch: int = 0
    redis: list[str] = field(default_factory=list)

    def restart(self) -> None:
        self.dispatch, self.redis = 0, []


@pytest.fixture
def counted(monkeypatch) -> Counted:
    seen = Counted()
    dispatch, command, pipeline = (
        APIView.dispatch,
        Redis.execute_command,
        Pipeline.execute,
    )

    def counting_dispatch(self, *args, **kwargs):
        seen.dispatch += 1
        return dispatch(self, *args, **kwargs)

    def counting_command(self, *args, **kwargs):
        seen.redis.append(str(args[0]))
        return command(self, *args, **kwargs)

    def counting_pipeline(self, *args, **kwargs):
        names = ",".join(str(c[0][0]) for c in self.command_stack)
        seen.redis.append(f"pipeline({names})")  # one round trip, whatever it holds
        return pipeline(self, *args, **kwargs)

    monkeypatch.setattr(APIView, "dispatch", counting_dispatch)
    monkeypatch.setattr(Redis, "execute_command", counting_command)
    monkeypatch.setattr(Pipeline, "execute", counting_pipeline)
    return seen
