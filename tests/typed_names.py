"""Real names and texts whose correct spelling needs the zero-width joiners and the
direction marks (U+200C-U+200F): kept byte for byte everywhere (issue 14)."""

PERSIAN = "کانون مدافعان حقوق بشر"  # noqa: RUF001
PERSIAN_ZWNJ = "می\u200cخواهیم"  # "we want": the non-joiner is correct spelling
MALAYALAM = "കേരള സ്ത്രീ\u200dവേദി"  # the joiner makes the chillu/half form
SINHALA = "ශ්\u200dරී ලංකා මානව හිමිකම්"  # ශ්‍රී: the joiner makes the rakaransaya
EMOJI = "Rainbow \U0001F3F3\uFE0F\u200D\U0001F308 Alliance"  # 🏳️‍🌈 is one ZWJ sequence
HEBREW = "\u200fהאגודה לזכויות האזרח"  # a right-to-left mark before the name
NAMES = [f"{PERSIAN} {PERSIAN_ZWNJ}", MALAYALAM, SINHALA, EMOJI, HEBREW]
