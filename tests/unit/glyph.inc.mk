UNIT_TESTS += glyph
UNIT_SRCS_glyph := tests/unit/test_glyph.c lib/glyph.c lib/string.c
