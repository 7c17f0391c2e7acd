# exFAT core (fs/exfat_core.c, fs/exfat_dir.c): tests/unit/test_exfat.c.
# Its test_linux_filled case reads build/exfat/linux-filled.img, the image
# Linux's exfat driver fills (tools/linux-guest/exfat_image.py, cached by
# its inputs; about a minute in TCG the first time): `exfat-image` makes it
# before the test is built, or says what is missing or that the guest failed
# (the case then skips; tests/qemu/test_exfat.py fails instead).
UNIT_TESTS += exfat
UNIT_SRCS_exfat := tests/unit/test_exfat.c fs/exfat_core.c fs/exfat_dir.c lib/sha256.c lib/string.c

.PHONY: exfat-image
exfat-image:
	@if python3 tools/linux-guest/exfat_image.py --check; then \
	    if img=$$(python3 tools/linux-guest/exfat_image.py --out build/exfat); then \
	        ln -sf "$$(basename "$$img")" build/exfat/linux-filled.img; \
	        ln -sf "$$(basename "$$img").sha256" build/exfat/linux-filled.img.sha256; \
	    else \
	        echo "exfat-image: FAILED to build the Linux-filled image (above; its console log is in build/exfat); test_linux_filled skips"; \
	        rm -f build/exfat/linux-filled.img build/exfat/linux-filled.img.sha256; \
	    fi; \
	else \
	    echo "exfat-image: no Linux-filled exFAT image (see above); test_exfat's test_linux_filled skips"; \
	    rm -f build/exfat/linux-filled.img build/exfat/linux-filled.img.sha256; \
	fi

unit-build-exfat: exfat-image
