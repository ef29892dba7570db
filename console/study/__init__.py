"""``l2console study``: does any imbalance signal predict the mid's next move, after fees?

``series`` replays recordings' books (the venue's real parser into an ``OrderBook``, no engine)
and keeps every signal's value at every update; ``outcomes`` finds what the mid did next over
each horizon; ``analysis`` buckets the values and measures each bucket against the null;
``render`` and ``plot`` show it.
"""
