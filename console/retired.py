"""What the console says of the retired Kraken Futures demo (settings and options it ignores).

The venue's own refusal of ``--live`` without the real-money flag says it through its spec
(``VenueSpec.rehearsal_note``): the console reaches concrete venues only through the registry.
"""

DEMO_RETIRED = "Kraken retired its Futures demo on 14 July 2026"
REHEARSAL = (
    "rehearse with `l2console run --live` on the simulated venue, whose orders go through the "
    "same Unified adapter"
)
