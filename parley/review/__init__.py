"""`parley review`: a local labelling page whose queue learns from what is labelled
(queue.py: ordering, resume, decision records; app.py: the Starlette server)."""
