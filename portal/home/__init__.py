"""Staff homes: what needs an officer now (a work queue of counts, each linking to its list),
and a contractor lead's view of their own contractors' delivery (views.py, blueprint
``home``; the counting in queue.py)."""
