"""Whether a stage ends an order: its version's `terminal` flag, or, before the version has
arrived, the two ends every version so far has had."""

from __future__ import annotations

from services.scheduling.application.closing import ends_the_order
from tests.pipeline_versions import default_pipeline, with_varnishing


def test_given_the_orders_version_when_a_stage_is_entered_then_its_flag_decides() -> None:
    version = with_varnishing()
    assert ends_the_order("closed", version)
    assert ends_the_order("cancelled", version)
    assert not ends_the_order("varnishing", version)
    terminal_varnish = version.model_copy(
        update={
            "stages": [
                s.model_copy(update={"terminal": s.key == "varnishing"}) for s in version.stages
            ]
        }
    )
    assert ends_the_order("varnishing", terminal_varnish)
    assert not ends_the_order("closed", terminal_varnish)


def test_given_no_version_yet_when_a_stage_is_entered_then_the_old_ends_decide() -> None:
    assert ends_the_order("cancelled", None)
    assert ends_the_order("closed", None)
    assert not ends_the_order("installation", None)
    assert not ends_the_order("installation", default_pipeline())
