"""Pure trading domain: book, signal, strategy, risk, fills, ledger, stats, gates, store.

Nothing here touches a socket, a terminal or a venue's JSON. Time is always passed in.
"""
