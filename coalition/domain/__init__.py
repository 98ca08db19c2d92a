"""Pure-Python domain rules of Coalition: no Flask, no SQLAlchemy."""
