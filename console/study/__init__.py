"""``l2console study``: does any imbalance signal predict the mid's next move, after fees?

``series`` replays recordings' books (the venue's real parser into an ``OrderBook``, no engine)
and keeps every signal's value at every book state; ``outcomes`` finds what the mid did next
over each horizon; ``buckets`` groups the values; ``analysis`` measures each bucket against the
null; ``verdict`` says it in words against the fees; ``run`` ties it together; ``render`` and
``plot`` show it.
"""
