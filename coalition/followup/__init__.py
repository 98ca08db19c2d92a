"""After publication: deliver the letter, log the addressee's response, post updates, digests.

Builds on publishing (editions, exports, public pages); nothing below imports it.
"""
