"""One render per entry in a process: requests that miss an entry while another renders it
wait for it and are answered from it; a wait never outlasts its bound or a failed render."""

import threading
from dataclasses import dataclass

from recipes.tracked.tracked_cache import Flight, Lookup, RenderedResponse, _flights


@dataclass
class Stored:
    """A store that holds one value per key, as ``TrackedCache.get`` answers."""

    values: dict

    def get(self, key: str) -> Lookup:
        return Lookup(self.values.get(key), None)


PAGE = RenderedResponse("application/json", b"{}")


def test_a_second_miss_of_the_same_entry_waits_and_reads_what_the_first_stored():
    store, answers = Stored({}), []
    leader = Flight.board("books.list")
    following = threading.Event()

    def follow() -> None:
        follower = Flight.board("books.list")
        following.set()
        answers.append(follower.waited_for_another(store) and follower.found)

    thread = threading.Thread(target=follow)
    thread.start()
    following.wait(5)
    store.values["books.list"] = PAGE  # the leader's render, stored
    leader.land()
    thread.join(5)

    assert leader.leading
    assert answers == [PAGE]
    assert "books.list" not in _flights


def test_a_miss_of_another_entry_leads_its_own_render():
    first, other = Flight.board("books.list"), Flight.board("books.retrieve:7")
    try:
        assert (first.leading, other.leading) == (True, True)
    finally:
        first.land()
        other.land()


def test_a_follower_whose_leader_stored_nothing_renders_its_own():
    leader = Flight.board("books.list")
    follower = Flight.board("books.list")
    leader.land()  # an error, or an answer that must not be stored

    assert not follower.waited_for_another(Stored({}))
    again = Flight.board("books.list")
    again.land()
    assert again.leading  # the next miss leads again
