"""The compose page's buttons, parsed and applied without the app: handouts/protocols.py parse_action, arrange."""

from __future__ import annotations

import pytest

from portal.handouts.protocols import ComposeAction, arrange, parse_action


@pytest.mark.parametrize("raw", ["save", "preview", "add_items", "add_one_off"])
def test_each_plain_button_is_its_own_action(raw):
    assert parse_action(raw) == ComposeAction(raw)


def test_moving_a_line_names_the_line_and_the_direction():
    assert parse_action("move:3:down") == ComposeAction("move", (3, 1))
    assert parse_action("move:0:up") == ComposeAction("move", (0, -1))


@pytest.mark.parametrize(
    "raw", [None, "", "delete_everything", "move:", "move:x:up", "move:-1:up", "move:2:sideways", "move:2", "m" * 500]
)
def test_anything_else_is_a_plain_save_so_nothing_typed_is_lost(raw):
    assert parse_action(raw) == ComposeAction("save")


def test_lines_keep_their_order_when_nothing_moves():
    assert arrange(4) == [0, 1, 2, 3]


def test_a_line_moves_one_place_up_or_down():
    assert arrange(4, move=(2, -1)) == [0, 2, 1, 3]
    assert arrange(4, move=(0, 1)) == [1, 0, 2, 3]


def test_a_move_past_either_end_leaves_the_line_where_it_is():
    assert arrange(3, move=(0, -1)) == [0, 1, 2]
    assert arrange(3, move=(2, 1)) == [0, 1, 2]
    assert arrange(3, move=(7, 1)) == [0, 1, 2]  # a line that is not there


def test_removed_lines_drop_out_and_a_move_steps_over_the_gap():
    assert arrange(4, remove=[1]) == [0, 2, 3]
    assert arrange(4, remove=[1], move=(2, -1)) == [2, 0, 3]


def test_moving_a_line_that_is_being_removed_does_nothing_more():
    assert arrange(3, remove=[1], move=(1, 1)) == [0, 2]


def test_every_line_can_be_removed():
    assert arrange(2, remove=[0, 1]) == []
