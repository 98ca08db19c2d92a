"""Publishing: dated, frozen editions of a statement, embargoes, and the press exports."""
