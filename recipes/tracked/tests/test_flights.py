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
    store, answers, following = Stored({}), [], threading.Event()

    def follow() -> None:
        with Flight.board("books.list") as follower:
            following.set()
            answers.append(follower.waited_for_another(store) and follower.found)

    with Flight.board("books.list") as leader:
        thread = threading.Thread(target=follow)
        thread.start()
        following.wait(5)
        store.values["books.list"] = PAGE  # the leader's render, stored
    thread.join(5)

    assert leader.leading
    assert answers == [PAGE]
    assert "books.list" not in _flights


def test_a_miss_of_another_entry_leads_its_own_render():
    with Flight.board("books.list") as first, Flight.board("books.retrieve:7") as other:
        assert (first.leading, other.leading) == (True, True)


def test_a_follower_whose_leader_stored_nothing_renders_its_own():
    with Flight.board("books.list"), Flight.board("books.list") as follower:
        pass  # the leader failed, or its answer must not be stored

    assert not follower.waited_for_another(Stored({}))
    with Flight.board("books.list") as again:
        assert again.leading  # the next miss leads again
