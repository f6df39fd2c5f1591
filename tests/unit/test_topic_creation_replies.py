"""A CreateTopics reply carries one error code per topic and aiokafka raises for none of
them: `ensure_topics` must turn a refused topic into an error its callers retry."""

from __future__ import annotations

import pytest
from aiokafka.errors import KafkaError, UnknownError, UnknownTopicOrPartitionError

from plumbing.kafka import raise_for_refused


def test_created_and_already_existing_topics_are_no_error() -> None:
    raise_for_refused([("orders", 0, None), ("scheduling", 36, "Topic already exists")])


def test_a_refused_topic_among_created_ones_raises_naming_it_and_its_error() -> None:
    # What Tansu answered for one of several topics created at once on a loaded machine.
    with pytest.raises(UnknownError, match=r"refused to create orders\.4 \(UnknownError\)"):
        raise_for_refused([("orders.3", 0, None), ("orders.4", -1, None)])


def test_every_refused_topic_is_named_and_the_first_error_is_raised() -> None:
    with pytest.raises(KafkaError) as raised:
        raise_for_refused([("a", 3, None), ("b", -1, None), ("c", 0, None)])
    assert isinstance(raised.value, UnknownTopicOrPartitionError)
    assert str(raised.value).endswith(
        "the broker refused to create a (UnknownTopicOrPartitionError), b (UnknownError)"
    )


def test_a_version_0_reply_without_messages_reads_the_same() -> None:
    with pytest.raises(UnknownError):
        raise_for_refused([("orders", -1)])
